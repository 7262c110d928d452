/**
 * The example of docs/api.md is examples/library/fleet.test.mjs verbatim, and
 * it passes when run as the docs say (node --test, importing 'orchestra'
 * from the built package), on free ports.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = `${root}examples/library/fleet.test.mjs`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

t.test('docs/api.md shows the example file as it is', async (t) => {
  const docs = readFileSync(`${root}docs/api.md`, 'utf8');
  t.ok(docs.includes('```js\n' + readFileSync(example, 'utf8') + '```'), 'the example block is the file');
});

t.test('the example suite brings the quickstart fleet up, passes, and leaves nothing running', async (t) => {
  const env = { ...process.env, STORE_PORT: String(await freePort()), API_PORT: String(await freePort()) };
  const child = spawn(process.execPath, ['--test', example], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, out);
  t.match(out, /# pass 3/);
  t.match(out, /# fail 0/);
  t.same(listQuickstart(), [], 'no quickstart agent is left');
});

/** Live processes whose working directory is this tree's examples/quickstart (the fleet's agents). */
function listQuickstart(): number[] {
  const dir = `${root}examples/quickstart`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readlinkSync(`/proc/${d}/cwd`) === dir && !/\) Z /.test(readFileSync(`/proc/${d}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}
