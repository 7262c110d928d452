import t from 'tap';
import { changedFields, identityFingerprint, originOf } from '../../src/plan/fingerprint.js';
import { maskDeep, secretValues } from '../../src/plan/secrets.js';
import { SPEC_FIELD_CLASS, specFields } from '../../src/plan/fields.js';
import { BASE_DIR, at, spec } from './plan-helper.js';

const none = new Map<string, string>();
const compare = { envFileHashes: { old: none, new: none }, baseDir: BASE_DIR };

t.test('identity fingerprint is stable and ignores supervision fields', async (t) => {
  const a = spec('api', { env: { B: '2', A: '1' } });
  const b = spec('api', { env: { A: '1', B: '2' }, restart: { ...a.restart, delayMs: 5000 }, priority: 9 });
  t.equal(identityFingerprint(a, none), identityFingerprint(b, none), 'env key order and supervision do not matter');
  t.match(identityFingerprint(a, none), /^[0-9a-f]{64}$/);
  t.not(identityFingerprint(a, none), identityFingerprint(spec('api', { env: { A: '1', B: '3' } }), none));
  t.not(identityFingerprint(a, none), identityFingerprint(spec('api', { command: ['node', 'other.js'], env: a.env }), none));
});

t.test('identity fingerprint includes env file contents', async (t) => {
  const s = spec('api', { envFiles: [`${BASE_DIR}/.env.api`] });
  const before = identityFingerprint(s, new Map([[`${BASE_DIR}/.env.api`, 'aaa']]));
  const after = identityFingerprint(s, new Map([[`${BASE_DIR}/.env.api`, 'bbb']]));
  t.not(before, after);
  t.equal(before, identityFingerprint(s, new Map([[`${BASE_DIR}/.env.api`, 'aaa']])));
});

t.test('every AgentSpec field has a class', async (t) => {
  const keys = Object.keys(spec('x')).concat(['description', 'user', 'nice', 'readiness', 'liveness', 'thresholds']);
  for (const k of keys) t.ok(k in SPEC_FIELD_CLASS, `${k} is classified`);
  t.equal(SPEC_FIELD_CLASS.command, 'identity');
  t.equal(SPEC_FIELD_CLASS.envFiles, 'identity');
  t.equal(SPEC_FIELD_CLASS.restart, 'supervision');
  t.equal(SPEC_FIELD_CLASS.dependsOn, 'supervision');
  t.equal(SPEC_FIELD_CLASS.replica, 'scale');
});

t.test('changedFields names fields in manifest words', async (t) => {
  const a = spec('api', { env: { PORT: '8080' } });
  const b = spec('api', {
    env: { PORT: '8081', NEW: 'x' },
    command: ['node', 'server.js'],
    restart: { ...a.restart, delayMs: 2000, maxDelayMs: 90_000 },
    stop: { signal: 'SIGINT', timeoutMs: 10_000 },
    logs: { maxSizeBytes: 20 * 1024 * 1024, keep: 3 },
    inheritEnv: false,
    readiness: { kind: 'tcp', host: '127.0.0.1', port: 80, intervalMs: 250, timeoutMs: 2000, failures: 3, initialDelayMs: 0 },
    thresholds: { memory: { critical: 512 * 1024 * 1024, forMs: 10_000 }, cpu: { warn: 80, forMs: 0 }, onCritical: 'restart' },
    dependsOn: [{ agent: 'redis', condition: 'ready', restart: true }],
  });
  const changes = changedFields(a, b, compare);
  t.same(
    changes.map((c) => [c.path, c.old, c.new, c.class]),
    [
      ['command', ['node', 'api.js'], ['node', 'server.js'], 'identity'],
      ['depends_on.redis.condition', undefined, 'ready', 'supervision'],
      ['depends_on.redis.restart', undefined, true, 'supervision'],
      ['env.NEW', undefined, 'x', 'identity'],
      ['env.PORT', '8080', '8081', 'identity'],
      ['inherit_env', true, false, 'identity'],
      ['logs.max_size', '10MiB', '20MiB', 'supervision'],
      ['readiness.failures', undefined, 3, 'supervision'],
      ['readiness.initial_delay', undefined, '0ms', 'supervision'],
      ['readiness.interval', undefined, '250ms', 'supervision'],
      ['readiness.tcp', undefined, '127.0.0.1:80', 'supervision'],
      ['readiness.timeout', undefined, '2s', 'supervision'],
      ['restart.delay', '1s', '2s', 'supervision'],
      ['restart.max_delay', '1m', '1m30s', 'supervision'],
      ['stop.signal', 'SIGTERM', 'SIGINT', 'supervision'],
      ['thresholds.cpu.for', undefined, '0ms', 'supervision'],
      ['thresholds.cpu.warn', undefined, '80%', 'supervision'],
      ['thresholds.memory.critical', undefined, '512MiB', 'supervision'],
      ['thresholds.memory.for', undefined, '10s', 'supervision'],
      ['thresholds.on_critical', undefined, 'restart', 'supervision'],
    ],
  );
  t.same(changedFields(a, spec('api', { env: { PORT: '8080' } }), compare), [], 'equal specs have no changes');
});

t.test('env file content change shows as a changed env_file entry', async (t) => {
  const file = `${BASE_DIR}/.env.api`;
  const s = spec('api', { envFiles: [file] });
  const changes = changedFields(s, s, {
    envFileHashes: { old: new Map([[file, 'a'.repeat(64)]]), new: new Map([[file, 'b'.repeat(64)]]) },
    baseDir: BASE_DIR,
  });
  t.same(changes, [
    { path: 'env_file', class: 'identity', old: [`.env.api sha256:${'a'.repeat(12)}`], new: [`.env.api sha256:${'b'.repeat(12)}`] },
  ]);
  const vanished = changedFields(s, s, { envFileHashes: { old: new Map([[file, 'a'.repeat(64)]]), new: none }, baseDir: BASE_DIR });
  t.same(vanished[0]?.new, ['.env.api (unreadable)']);
});

t.test('secrets are masked on both sides, also inside other values', async (t) => {
  const a = spec('api', { env: { API_TOKEN: 'tok-old-123', DB: 'pw1' }, secretKeys: ['DB'] });
  const b = spec('api', {
    env: { API_TOKEN: 'tok-new-456', DB: 'pw2' },
    secretKeys: ['DB'],
    command: ['node', 'api.js', '--token', 'tok-new-456'],
  });
  const changes = changedFields(a, b, compare);
  t.same(changes.find((c) => c.path === 'env.API_TOKEN'), { path: 'env.API_TOKEN', class: 'identity', old: '***', new: '***', secret: true });
  t.same(changes.find((c) => c.path === 'env.DB'), { path: 'env.DB', class: 'identity', old: '***', new: '***', secret: true });
  t.same(changes.find((c) => c.path === 'command')?.new, ['node', 'api.js', '--token', '***']);
  const text = JSON.stringify(changes);
  for (const secret of ['tok-old-123', 'tok-new-456', 'pw1', 'pw2']) t.notOk(text.includes(secret), `${secret} never appears`);
});

t.test('the secret masker leaves short values alone', async (t) => {
  const mask = (v: unknown): unknown => maskDeep(v, secretValues([{ env: { A_TOKEN: '1', B_TOKEN: 'hunter2' }, secretKeys: [] }]));
  t.same(mask({ url: 'http://u:hunter2@h:1/' }), { url: 'http://u:***@h:1/' });
  t.equal(mask(42), 42);
});

t.test('origins: exact leaf, list head, short-form dependency', async (t) => {
  const origins = {
    'agents.api.env.PORT': at(12, 5),
    'agents.api.command.0': at(10, 15),
    'agents.api.depends_on.redis': at(20, 7),
  };
  t.same(originOf(origins, 'api', 'env.PORT'), at(12, 5));
  t.same(originOf(origins, 'api', 'command'), at(10, 15));
  t.same(originOf(origins, 'api', 'depends_on.redis.condition'), at(20, 7));
  t.equal(originOf(origins, 'api', 'restart.delay'), undefined);
  const changes = changedFields(spec('api', { env: { PORT: '1' } }), spec('api', { env: { PORT: '2' } }), { ...compare, origins });
  t.same(changes[0]?.origin, at(12, 5));
});

t.test('specFields projects probes of each kind', async (t) => {
  const timing = { intervalMs: 1000, timeoutMs: 2000, failures: 3, initialDelayMs: 0 };
  const exec = specFields(spec('a', { liveness: { kind: 'exec', command: ['true'], ...timing } }), none, BASE_DIR);
  t.same(exec.get('liveness.exec')?.value, ['true']);
  const http = specFields(spec('a', { readiness: { kind: 'http', url: 'http://x/h', ...timing } }), none, BASE_DIR);
  t.equal(http.get('readiness.http')?.value, 'http://x/h');
  const log = specFields(spec('a', { readiness: { kind: 'log', pattern: 'ready', ...timing } }), none, BASE_DIR);
  t.equal(log.get('readiness.log')?.value, 'ready');
  const tcp6 = specFields(spec('a', { readiness: { kind: 'tcp', host: '::1', port: 9, ...timing } }), none, BASE_DIR);
  t.equal(tcp6.get('readiness.tcp')?.value, '[::1]:9');
});
