/**
 * The schema itself: compiles under ajv strict mode (union types allowed, as
 * the schema uses them on purpose), accepts valid documents and rejects
 * invalid ones, and allows `x-` keys in every object that has fixed keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'orchestra.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const validate = ajv.compile(schema);

const agent = { command: ['node', 'api.js'] };
const doc = (agents: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ version: 1, ...extra, agents });

t.test('valid documents', async (t) => {
  const valid: [string, unknown][] = [
    ['minimal', doc({ api: agent })],
    ['no agents yet', doc({})],
    ['empty agent (fields from defaults)', doc({ api: null }, { defaults: agent })],
    [
      'everything',
      doc(
        {
          api: {
            ...agent,
            description: 'd',
            extends: ['a', 'b'],
            type: 'service',
            cwd: 'sub',
            env: { PORT: 8080, DEBUG: true, GONE: null },
            env_file: ['.env'],
            inherit_env: false,
            replicas: 3,
            disabled: false,
            priority: -1,
            nice: 19,
            depends_on: { db: 'ready', cache: { condition: 'started', restart: true } },
            restart: { when: 'always', strategy: 'delayed', delay: '1m30s', max_delay: '1h', max_attempts: 0, reset_after: '250ms' },
            stop: { signal: 'SIGINT', timeout: '10s' },
            startup: { timeout: '60s', retries: 2 },
            readiness: { tcp: '[::1]:5432', interval: '1s' },
            liveness: { http: 'https://localhost/health', failures: 1, initial_delay: '0s', timeout: '2s' },
            thresholds: { memory: { warn: '400MiB', critical: '1 GB', for: '10s' }, cpu: { warn: '80%', critical: '95.5%' }, on_critical: 'stop' },
            logs: { max_size: '10MiB', keep: 0 },
            secrets: ['DSN'],
          },
          shell: { command: 'echo hi', shell: true, readiness: { exec: 'true' } },
        },
        {
          name: 'my-fleet',
          vars: { a: 1, b: 'x', c: true, d: null },
          secrets: ['TOKEN_X'],
          monitor: { interval: '2s' },
          notify: { command: ['notify-send'], webhook: 'http://127.0.0.1:9000/hook', events: ['applied', 'failed'] },
          templates: { base: { command: ['x'] } },
          environments: { production: { vars: { a: 2 }, defaults: { priority: 1 }, agents: { api: { replicas: 4 } }, monitor: { interval: '5s' } } },
        },
      ),
    ],
    [
      'x- keys in every object with fixed keys',
      {
        version: 1,
        'x-anchor': { anything: [1, 2] },
        monitor: { 'x-a': 1 },
        notify: { 'x-a': 1 },
        // Under maps keyed by name the schema accepts x- names but still types their values (see the report).
        templates: { 'x-not-a-template': {} },
        environments: { 'x-e': {}, prod: { 'x-a': 1 } },
        agents: {
          'x-hidden': {},
          api: {
            ...agent,
            'x-export': { systemd: {} },
            restart: { 'x-a': 1 },
            stop: { 'x-a': 1 },
            startup: { 'x-a': 1 },
            readiness: { tcp: 'h:1', 'x-a': 1 },
            thresholds: { 'x-a': 1, memory: { 'x-a': 1 }, cpu: { 'x-a': 1 } },
            logs: { 'x-a': 1 },
            depends_on: { 'x-a': 'ready', db: { condition: 'ready', 'x-a': 1 } },
          },
        },
      },
    ],
  ];
  for (const [name, d] of valid) {
    t.ok(validate(d), name, { errors: validate.errors });
  }
});

t.test('invalid documents', async (t) => {
  const invalid: [string, unknown, string][] = [
    ['unknown agent key', doc({ api: { ...agent, depend_on: {} } }), 'additionalProperties'],
    ['unknown top-level key', { ...doc({}), agent: {} }, 'additionalProperties'],
    ['bad duration', doc({ api: { ...agent, stop: { timeout: '10 seconds' } } }), 'pattern'],
    ['duration without unit', doc({ api: { ...agent, restart: { delay: '10' } } }), 'pattern'],
    ['bad size', doc({ api: { ...agent, logs: { max_size: '10mb' } } }), 'pattern'],
    ['bad percent', doc({ api: { ...agent, thresholds: { cpu: { warn: '80' } } } }), 'pattern'],
    ['bad agent name', doc({ Api: agent }), 'propertyNames'],
    ['agent name starting with a digit', doc({ '1api': agent }), 'propertyNames'],
    ['bad enum', doc({ api: { ...agent, restart: { when: 'sometimes' } } }), 'enum'],
    ['wrong version', doc({}, { version: 2 }), 'const'],
    ['missing version', { agents: {} }, 'required'],
    ['replicas too large', doc({ api: { ...agent, replicas: 1001 } }), 'maximum'],
    ['empty command list', doc({ api: { command: [] } }), 'oneOf'],
    ['dependency without condition', doc({ api: { ...agent, depends_on: { db: { restart: true } } } }), 'required'],
    ['webhook that is not http(s)', doc({}, { notify: { webhook: 'ftp://example.com/' } }), 'pattern'],
    ['bad env key', doc({ api: { ...agent, env: { 'A-B': '1' } } }), 'propertyNames'],
    ['nested env value', doc({ api: { ...agent, env: { A: { b: 1 } } } }), 'type'],
    ['unknown overlay key', doc({}, { environments: { prod: { templates: {} } } }), 'additionalProperties'],
    ['bad tcp address', doc({ api: { ...agent, readiness: { tcp: 'localhost' } } }), 'pattern'],
  ];
  for (const [name, d, keyword] of invalid) {
    t.notOk(validate(d), name);
    t.ok(validate.errors?.some((e) => e.keyword === keyword), `${name}: a ${keyword} error`, { errors: validate.errors });
  }
});

t.test('every property has a description (editor hover)', async (t) => {
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n['properties'] && typeof n['properties'] === 'object') {
      for (const [k, v] of Object.entries(n['properties'] as Record<string, Record<string, unknown>>)) {
        const ref = typeof v['$ref'] === 'string' ? (schema['definitions'] as Record<string, Record<string, unknown>>)[(v['$ref'] as string).split('/').pop()!] : undefined;
        if (v['description'] === undefined && ref?.['description'] === undefined) missing.push(`${path}.${k}`);
      }
    }
    for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
  };
  walk(schema, '#');
  t.same(missing, []);
});
