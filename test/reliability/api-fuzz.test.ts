/**
 * Malformed requests on the daemon's unix socket: bad JSON, wrong types,
 * huge bodies, wrong methods, unknown paths, truncated requests and raw
 * garbage. Each well-formed-HTTP request must get a 4xx; raw garbage may only
 * get a 4xx or a closed connection. After every one the same daemon answers
 * /v1/ping, and at the end the agents are untouched.
 */

import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { foreverManifest, Project } from '../cli/project.js';
import { api } from './helpers.js';

/** Writes raw bytes to the socket and resolves with whatever came back before the close (or after 5 s). */
function raw(socketPath: string, chunks: (string | Buffer)[], endAfter = true): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 5_000);
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
      if (endAfter) s.end();
    });
  });
}

t.test('malformed API requests get 4xx and the daemon stays up', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const socket = join(p.stateDir, 'daemon.sock');
  const pids = p.pids();
  const daemon = p.daemonPid();
  const alive = async (label: string) => {
    const r = await api(socket, 'GET', '/v1/ping');
    t.equal(r.status, 200, `${label}: daemon answers`);
  };
  const expect4xx = async (label: string, method: string, path: string, body?: string | Buffer) => {
    let status: number | string;
    try {
      status = (await api(socket, method, path, body)).status;
    } catch (e) {
      status = (e as NodeJS.ErrnoException).code ?? String(e);
    }
    t.ok(typeof status === 'number' && status >= 400 && status < 500, `${label} → ${status}`);
    await alive(label);
  };

  await expect4xx('apply: not JSON', 'POST', '/v1/apply', '{"plan": ');
  await expect4xx('apply: an array', 'POST', '/v1/apply', '[]');
  await expect4xx('apply: plan is a number', 'POST', '/v1/apply', '{"plan": 1}');
  await expect4xx('apply: instance without fields', 'POST', '/v1/apply', '{"plan":{"version":1,"name":"x","instances":[{}]}}');
  await expect4xx('apply: bad envFileHashes', 'POST', '/v1/apply', '{"plan":{"version":1,"name":"x","instances":[]},"envFileHashes":{"a":1}}');
  await expect4xx('apply: bad expected', 'POST', '/v1/apply', '{"plan":{"version":1,"name":"x","instances":[]},"expected":{"lineage":1}}');
  await expect4xx('apply: invalid UTF-8', 'POST', '/v1/apply', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  await expect4xx('apply: deeply nested', 'POST', '/v1/apply', '['.repeat(200_000) + ']'.repeat(200_000));
  await expect4xx('stop: no names', 'POST', '/v1/agents/stop', '{}');
  await expect4xx('stop: names not a list', 'POST', '/v1/agents/stop', '{"names": 5}');
  await expect4xx('stop: names of numbers', 'POST', '/v1/agents/stop', '{"names": [1, 2]}');
  await expect4xx('stop: unknown agent', 'POST', '/v1/agents/stop', '{"names": ["nosuch"]}');
  await expect4xx('restart: null body', 'POST', '/v1/agents/restart', 'null');
  await expect4xx('dashboard: port is a string', 'POST', '/v1/dashboard', '{"port": "80"}');
  await expect4xx('dashboard: port out of range', 'POST', '/v1/dashboard', '{"port": 70000}');
  await expect4xx('wrong method on apply', 'GET', '/v1/apply');
  await expect4xx('wrong method on status', 'DELETE', '/v1/status');
  await expect4xx('unknown path', 'GET', '/v2/everything');
  await expect4xx('path traversal', 'GET', '/v1/../../etc/passwd');
  await expect4xx('huge body (20 MiB)', 'POST', '/v1/agents/stop', Buffer.alloc(20 * 1024 * 1024, 0x20));

  const garbage = await raw(socket, [Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])]);
  t.ok(garbage === '' || /^HTTP\/1\.1 4\d\d/.test(garbage), `garbage bytes → ${JSON.stringify(garbage.slice(0, 20))}`);
  await alive('garbage bytes');
  const truncated = await raw(socket, ['POST /v1/agents/stop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"names":']);
  t.ok(truncated === '' || /^HTTP\/1\.1 4\d\d/.test(truncated), `truncated body → ${JSON.stringify(truncated.slice(0, 20))}`);
  await alive('truncated body');
  const halfHeader = await raw(socket, ['GET /v1/sta']);
  t.ok(halfHeader === '' || /^HTTP\/1\.1 4\d\d/.test(halfHeader), 'half a request line');
  await alive('half a request line');
  const badLength = await raw(socket, ['POST /v1/apply HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n']);
  t.match(badLength, /^HTTP\/1\.1 4\d\d/, 'negative content-length → 4xx');
  await alive('negative content-length');

  // Random bodies and paths: anything but a 2xx for a mutating route is a finding; a 5xx always is.
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(
      // /v1/dashboard is left out: any non-object body there means "default port" and opens the dashboard (a 200 by design).
      fc.constantFrom('/v1/apply', '/v1/agents/start', '/v1/agents/stop', '/v1/agents/restart', '/v1/x'),
      fc.oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 3 }), fc.json({ maxDepth: 3 }).map((j) => j.slice(0, Math.max(1, j.length - 2)))),
      async (path, body) => {
        // Avoid bodies that are genuinely valid controls (e.g. {"all":true}): those would act on the fleet.
        if (/"all"\s*:\s*true/.test(body) || /"names"/.test(body)) return;
        sent++;
        const r = await api(socket, 'POST', path, body);
        if (r.status < 400 || r.status >= 500) throw new Error(`${path} ${JSON.stringify(body)} → ${r.status} ${r.body}`);
      },
    ),
    { numRuns: 300, seed: 424242 },
  );
  t.ok(sent > 100, `${sent} random requests all got 4xx`);
  await alive('random requests');
  t.equal(p.daemonPid(), daemon, 'the same daemon throughout');
  t.same(p.pids(), pids, 'agents untouched');
});
