import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { until } from '../helpers/until.js';
import { freePort, harness, is, plan, spec, tempDir } from './spec-helper.js';

const alive = (pid: number) => readAllProcs().some((p) => p.pid === pid && p.state !== 'Z');
const has = (program: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// .ci/run installs redis-server; elsewhere the test says why it did not run.
t.test('real redis-server --daemonize yes as a forking service, stopped by its own stop command', { skip: has('redis-server') ? false : 'redis-server is not installed' }, async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const pidFile = join(dir, 'redis.pid');
  const s = spec({
    name: 'redis',
    type: 'forking',
    pidFile,
    cwd: dir,
    command: ['redis-server', '--daemonize', 'yes', '--pidfile', pidFile, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
    readiness: { kind: 'tcp', host: '127.0.0.1', port, intervalMs: 50, timeoutMs: 1000, failures: 3, initialDelayMs: 0 },
    restart: { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 60_000 },
    stop: { signal: 'SIGTERM', timeoutMs: 10_000, command: ['redis-cli', '-p', String(port), 'shutdown', 'nosave'] },
  });
  const h = harness(t, plan([s]));
  await h.engine.startAll();
  const first = h.engine.status()[0]!;
  t.match(first, { state: 'running', pid: Number(readFileSync(pidFile, 'utf8')) });
  t.equal(execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim(), 'PONG');

  process.kill(first.pid!, 'SIGKILL');
  await until(() => h.engine.status()[0]!.state === 'running' && h.engine.status()[0]!.pid !== first.pid, 'redis to be started again');
  const second = h.engine.status()[0]!;
  t.equal(second.pid, Number(readFileSync(pidFile, 'utf8')));
  t.equal(second.restarts, 1);

  await h.engine.stop(['redis']);
  t.match(await h.waitFor(is('agent-stopped', 'redis')), { killed: false }, 'redis-cli shutdown stopped it, no SIGKILL');
  t.same(h.of('stop-command-failed'), []);
  t.notOk(alive(second.pid!));
});
