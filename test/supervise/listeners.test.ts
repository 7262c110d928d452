import { createServer, type Server } from 'node:net';
import t, { type Test } from 'tap';
import { decodeProcAddress, listeningInodes, localProbeAddress } from '../../src/supervise/listeners.js';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { fixture, freePort, harness, is, plan, spec } from './spec-helper.js';

const tcp = (port: number) => ({ kind: 'tcp' as const, host: '127.0.0.1', port, intervalMs: 50, timeoutMs: 1000, failures: 3, initialDelayMs: 0 });

function listen(t: Test, port: number): Promise<Server> {
  return new Promise((resolve) => {
    const srv = createServer((s) => s.end()).listen(port, '127.0.0.1', () => resolve(srv));
    t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  });
}

t.test('/proc/net/tcp addresses and which probes are local', async (t) => {
  t.equal(decodeProcAddress('0100007F'), '127.0.0.1');
  t.equal(decodeProcAddress('00000000'), '0.0.0.0');
  t.equal(decodeProcAddress('00000000000000000000000001000000'), '::1');
  t.equal(decodeProcAddress('00000000000000000000000000000000'), '::');
  t.equal(decodeProcAddress('0000000000000000FFFF00000100007F'), '::ffff:127.0.0.1');
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0',
    '   1: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0 100 0 0 10 0',
    '   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0',
  ].join('\n');
  t.same(listeningInodes({ host: '127.0.0.1', port: 8080 }, [table]), [111], 'a loopback listener; the established connection is not one');
  t.same(listeningInodes({ host: 'localhost', port: 8081 }, [table]), [222], 'a wildcard listener answers localhost');
  t.same(listeningInodes({ host: '10.9.9.9', port: 8080 }, [table]), [], 'a loopback listener does not answer another address');
  t.match(localProbeAddress({ kind: 'http', url: 'http://localhost:9000/health' }), { host: 'localhost', port: 9000 });
  t.match(localProbeAddress({ kind: 'http', url: 'https://127.0.0.1/' }), { port: 443 });
  t.equal(localProbeAddress({ kind: 'tcp', host: '192.0.2.7', port: 80 }), undefined, 'not on this machine');
});

t.test('a port held by another process: the agent does not start, and the reason names the address and the holder', async (t) => {
  const port = await freePort();
  await listen(t, port);
  const h = harness(t, plan([spec({ name: 'web', command: fixture('listen-tcp', port), readiness: tcp(port) })]));
  await h.engine.startAll();
  const failed = await h.waitFor(is('agent-failed', 'web'));
  t.match((failed as { reason: string }).reason, new RegExp(`^not started: 127\\.0\\.0\\.1:${port} is held by pid ${process.pid} \\(.*node.*\\), outside the agent's boundary$`));
  t.equal(h.of('agent-started', 'web').length, 0, 'nothing was spawned');
  t.same(readAllProcs().filter((p) => p.ppid === process.pid && p.state !== 'Z'), [], 'no child of ours runs');
});

for (const boundary of ['default', 'tree'] as const) {
  t.test(`${boundary} boundary: the agent's own listener passes its probe; one answered from outside never counts`, async (t) => {
    const own = await freePort();
    const stolen = await freePort();
    const h = harness(
      t,
      plan([
        spec({ name: 'web', command: fixture('listen-tcp', own), readiness: tcp(own) }),
        spec({ name: 'idle', readiness: tcp(stolen), startup: { timeoutMs: 1500, retries: 0 } }),
      ]),
      { boundary },
    );
    const started = h.waitFor(is('agent-started', 'idle'));
    const settled = h.engine.startAll();
    await started;
    // The port was free at the start check; now someone else answers the probe.
    await listen(t, stolen);
    await settled;
    t.equal(h.engine.status().find((s) => s.name === 'web')?.state, 'running', 'its own listener made it ready');
    const idle = h.engine.status().find((s) => s.name === 'idle')!;
    t.not(idle.state, 'running', 'never ready on a stranger’s answer');
    t.equal(h.of('agent-ready', 'idle').length, 0);
    const failed = h.of('probe-failed', 'idle')[0] as { reason?: string } | undefined;
    t.match(failed?.reason, new RegExp(`127\\.0\\.0\\.1:${stolen} is held by pid ${process.pid} .*outside the agent's boundary`));
  });
}
