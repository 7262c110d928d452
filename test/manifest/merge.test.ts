import t from 'tap';
import { instance, loadFiles, loadPlan } from './fixtures/load-helpers.js';

const base = (agents: string, extra = '') => `version: 1\n${extra}agents:\n${agents}`;

t.test('maps merge deeply: defaults, template and own keys combine', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(
      `  api:\n    extends: node\n    env: { C: "own" }\n`,
      `defaults:\n  env: { A: "default", B: "default" }\n  restart: { when: always }\ntemplates:\n  node:\n    command: [node, api.js]\n    env: { B: "template" }\n    restart: { delay: 5s }\n`,
    ),
  });
  const api = instance(plan, 'api');
  t.same(api.env, { A: 'default', B: 'template', C: 'own' });
  t.equal(api.restart.when, 'always');
  t.equal(api.restart.delayMs, 5000);
});

t.test('false and 0 override true and a number', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(
      `  api:\n    extends: t\n    inherit_env: false\n    priority: 0\n    restart: { max_attempts: 0 }\n`,
      `defaults:\n  inherit_env: true\n  priority: 50\ntemplates:\n  t:\n    command: [x]\n    priority: 10\n    restart: { max_attempts: 7 }\n`,
    ),
  });
  const api = instance(plan, 'api');
  t.equal(api.inheritEnv, false);
  t.equal(api.priority, 0);
  t.equal(api.restart.maxAttempts, 0);
});

t.test('null removes a key that came from a template or defaults', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(
      `  api:\n    extends: t\n    env: { FROM_TEMPLATE: null, FROM_DEFAULTS: null }\n    readiness: null\n`,
      `defaults:\n  env: { FROM_DEFAULTS: "d", KEEP: "k" }\ntemplates:\n  t:\n    command: [x]\n    env: { FROM_TEMPLATE: "t" }\n    readiness: { tcp: "127.0.0.1:1" }\n`,
    ),
  });
  const api = instance(plan, 'api');
  t.same(api.env, { KEEP: 'k' });
  t.equal(api.readiness, undefined);
});

t.test('a null inside a template still removes a default (tombstones survive until the last merge)', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(`  api:\n    extends: t\n`, `defaults:\n  env: { X: "default" }\ntemplates:\n  t:\n    command: [x]\n    env: { X: null }\n`),
  });
  t.same(instance(plan, 'api').env, {});
});

t.test('lists replace instead of concatenating', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(`  api:\n    extends: t\n    command: [node, b.js]\n`, `templates:\n  t:\n    command: [node, a.js, --flag]\n`),
  });
  t.same(instance(plan, 'api').command, ['node', 'b.js']);
});

t.test('extends lists merge left to right, recursively', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': base(
      `  api:\n    extends: [a, b]\n`,
      `templates:\n  root:\n    command: [root]\n    env: { R: "root", S: "root" }\n  a:\n    extends: root\n    env: { S: "a", A: "a" }\n  b:\n    env: { A: "b" }\n`,
    ),
  });
  const api = instance(plan, 'api');
  t.same(api.command, ['root']);
  t.same(api.env, { R: 'root', S: 'a', A: 'b' });
});

t.test('precedence end to end: defaults < extends < own < environment < extra file < --set', async (t) => {
  const main = base(
    `  api:\n    extends: t\n    env: { OWN: "own", ENV: "own", FILE: "own", SET: "own" }\n`,
    `defaults:\n  command: [x]\n  env: { DEF: "defaults", TPL: "defaults", OWN: "defaults" }\ntemplates:\n  t:\n    env: { TPL: "template", OWN: "template" }\nenvironments:\n  prod:\n    agents:\n      api: { env: { ENV: "environment", FILE: "environment", SET: "environment" } }\n`,
  );
  const extra = `agents:\n  api:\n    env: { FILE: "file", SET: "file" }\n`;
  const plan = await loadPlan(
    t,
    { 'orchestra.yaml': main, 'extra.yaml': extra },
    { order: ['orchestra.yaml', 'extra.yaml'], environment: 'prod', set: ['agents.api.env.SET=set'] },
  );
  t.same(instance(plan, 'api').env, { DEF: 'defaults', TPL: 'template', OWN: 'own', ENV: 'environment', FILE: 'file', SET: 'set' });
  t.equal(plan.environment, 'prod');
  t.equal(plan.files.length, 2);
});

t.test('ORCHESTRA_ENV chooses the environment when none is given', async (t) => {
  const plan = await loadPlan(
    t,
    { 'orchestra.yaml': base(`  api:\n    command: [x]\n`, `environments:\n  staging:\n    agents: { api: { replicas: 3 } }\n`) },
    { env: { ORCHESTRA_ENV: 'staging' } },
  );
  t.same(plan.agents, [{ name: 'api', instances: ['api-0', 'api-1', 'api-2'] }]);
});

t.test('--set parses YAML values; null removes', async (t) => {
  const plan = await loadPlan(
    t,
    { 'orchestra.yaml': base(`  api:\n    command: [x]\n    env: { GONE: "1" }\n`) },
    { set: ['agents.api.replicas=2', 'agents.api.command=[node, y.js]', 'agents.api.env.GONE=null', 'agents.api.disabled=true', 'agents.api.env.EMPTY='] },
  );
  const api = instance(plan, 'api-0');
  t.same(api.command, ['node', 'y.js']);
  t.same(api.env, { EMPTY: '' });
  t.equal(api.disabled, true);
});

t.test('an overlay file may add an agent, which gets defaults and extends too', async (t) => {
  const plan = await loadPlan(
    t,
    {
      'orchestra.yaml': base(`  api:\n    extends: t\n`, `defaults:\n  priority: 5\ntemplates:\n  t:\n    command: [x]\n`),
      'more.yaml': `agents:\n  extra:\n    extends: t\n`,
    },
    { order: ['orchestra.yaml', 'more.yaml'] },
  );
  t.same(plan.agents.map((a) => a.name), ['api', 'extra']);
  t.equal(instance(plan, 'extra').priority, 5);
});

t.test('environment variables, .env and coercion of substituted numbers', async (t) => {
  const plan = await loadPlan(
    t,
    {
      'orchestra.yaml': base(`  api:\n    command: [node, "\${SCRIPT}", "$$HOME", "\${MISSING:-fallback}", "\${EMPTY-set-but-empty}"]\n    replicas: "\${N}"\n    priority: "\${PRIO}"\n`),
      '.env': 'SCRIPT=from-dotenv.js\nN=1\nPRIO=9\n',
    },
    { env: { N: '2', EMPTY: '' } },
  );
  const api = instance(plan, 'api-0');
  t.same(api.command, ['node', 'from-dotenv.js', '$HOME', 'fallback', ''], 'process env wins over .env; $$ is a literal $');
  t.equal(api.replica.count, 2, 'replicas "${N}" coerced from the process env');
  t.equal(api.priority, 9, 'priority coerced from .env');
});

t.test('a literal quoted number is not coerced', async (t) => {
  const r = await loadFiles(t, { 'orchestra.yaml': base(`  api:\n    command: [x]\n    priority: "9"\n`) });
  t.same(r.diagnostics.map((d) => d.code), ['wrong-type']);
});
