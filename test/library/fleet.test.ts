import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Fleet, FleetError, loadManifest, type OrchestraEvent } from '../../src/index.js';
import { readProc } from '../../src/supervise/procfs.js';

const agents = new URL('../fixtures/agents/', import.meta.url).pathname;

/** A temp folder with a manifest; removed after the test. */
function project(t: Test, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-lib-'));
  writeFileSync(join(dir, 'orchestra.yaml'), yaml);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'orchestra.yaml');
}

const alive = (pid: number): boolean => {
  const p = readProc(pid);
  return p !== undefined && p.state !== 'Z';
};

const forever = (name: string, extra: string[] = []): string[] => [`  ${name}:`, `    command: ["node", "${agents}forever.js"]`, '    stop: { timeout: 2s }', ...extra.map((l) => `    ${l}`)];

t.test('loadManifest: a plan with warnings, or flat located diagnostics', async (t) => {
  const good = project(t, ['version: 1', 'name: lib', 'agents:', ...forever('a')].join('\n') + '\n');
  const ok = await loadManifest(good);
  t.equal(ok.ok, true);
  if (ok.ok) t.same(ok.plan.instances.map((i) => i.name), ['a']);
  const bad = project(t, ['version: 1', 'agents:', '  a:', '    comand: ["true"]'].join('\n') + '\n');
  const result = await loadManifest(bad);
  t.equal(result.ok, false);
  if (!result.ok) {
    const d = result.diagnostics.find((x) => x.severity === 'error')!;
    t.match(d, { severity: 'error', code: String, message: String, file: bad, line: Number, column: Number });
    t.ok(result.diagnostics.some((x) => x.line === 4 && x.file === bad), 'one points at the misspelt key');
    t.match(d.hint ?? d.message, /command/, 'says what was meant');
  }
});

t.test('Fleet.up resolves with services ready and oneshots completed; status, events, stop, start, down', async (t) => {
  const file = project(
    t,
    ['version: 1', 'name: lib', 'agents:', '  setup:', `    command: ["node", "${agents}exit-with.js", "0"]`, '    type: oneshot', ...forever('a', ['depends_on: { setup: completed }']), ...forever('b', ['depends_on: { a: started }'])].join('\n') + '\n',
  );
  const fleet = await Fleet.up(file, { stateDir: join(file, '..', 'state') });
  t.teardown(() => fleet.down());
  const states = Object.fromEntries(fleet.status().map((s) => [s.name, s.state]));
  t.same(states, { setup: 'exited', a: 'running', b: 'running' });
  const a = fleet.status().find((s) => s.name === 'a')!;
  t.match(a, { agent: 'a', pid: Number, restarts: 0, health: Number });

  const seen: OrchestraEvent['type'][] = [];
  fleet.on('event', (e) => seen.push(e.type));
  await fleet.stop('b');
  t.equal(fleet.status().find((s) => s.name === 'b')!.state, 'stopped');
  t.ok(seen.includes('agent-stopped'), 'events reach listeners');
  await fleet.start('b');
  t.equal(fleet.status().find((s) => s.name === 'b')!.state, 'running');
  await t.rejects(fleet.restart('nope'), { code: 'unknown-agent' });

  const pids = fleet.status().flatMap((s) => (s.pid ? [s.pid] : []));
  t.equal(pids.length, 2);
  await fleet.down();
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} is gone when down() resolves`);
});

t.test('Fleet.up rejects naming the failed and blocked agents, after stopping what it started', async (t) => {
  const file = project(
    t,
    ['version: 1', 'name: lib', 'agents:', ...forever('ok'), ...forever('broken', ['readiness: { tcp: "127.0.0.1:9", interval: 100ms }', 'startup: { timeout: 1s }', 'restart: { when: never }']), ...forever('after', ['depends_on: { broken: ready }'])].join('\n') + '\n',
  );
  const started: number[] = [];
  const error = await Fleet.up(file, { stateDir: join(file, '..', 'state') }).catch((e: unknown) => e);
  t.type(error, FleetError);
  const names = (error as FleetError).agents.map((a) => `${a.name}:${a.state}`).sort();
  t.same(names, ['after:blocked', 'broken:failed']);
  t.match((error as Error).message, /broken failed/);
  // Nothing of the fleet is left: the state dir's lock and socket are free for the next run.
  const again = await Fleet.up(project(t, ['version: 1', 'name: lib', 'agents:', ...forever('x')].join('\n') + '\n'), { stateDir: join(file, '..', 'state') });
  for (const s of again.status()) if (s.pid) started.push(s.pid);
  await again.down();
  for (const pid of started) t.notOk(alive(pid));
});

t.test('a second Fleet on the same state directory is told who holds it; an invalid manifest rejects with diagnostics', async (t) => {
  const file = project(t, ['version: 1', 'name: lib', 'agents:', ...forever('a')].join('\n') + '\n');
  const stateDir = join(file, '..', 'state');
  const fleet = await Fleet.up(file, { stateDir });
  t.teardown(() => fleet.down());
  await t.rejects(Fleet.up(file, { stateDir }), { message: new RegExp(`locked by pid ${process.pid} \\(orchestra library`) });
  const bad = project(t, 'version: 1\nagents: {a: {command: 5}}\n');
  const error = (await Fleet.up(bad, { stateDir: join(bad, '..', 'state') }).catch((e: unknown) => e)) as FleetError;
  t.type(error, FleetError);
  t.ok(error.diagnostics.length > 0);
  t.match(error.message, /invalid manifest: .*orchestra\.yaml:2:/);
  await fleet.down();
});
