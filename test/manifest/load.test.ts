import { join } from 'node:path';
import t from 'tap';
import { loadManifest } from '../../src/manifest/load.js';
import { codes, loadFiles } from './fixtures/load-helpers.js';

t.test('a missing file is a diagnostic naming it', async (t) => {
  const dir = t.testdir({});
  const r = await loadManifest({ files: ['nope.yaml'], cwd: dir, env: {} });
  t.same(codes(r), ['file-not-found']);
  t.equal(r.diagnostics[0]!.location?.file, join(dir, 'nope.yaml'));
  t.equal(r.plan, undefined);
});

t.test('no files at all', async (t) => {
  const r = await loadManifest({ files: [], env: {} });
  t.same(codes(r), ['no-manifest']);
});

t.test('a directory given as a manifest', async (t) => {
  const dir = t.testdir({ sub: {} });
  const r = await loadManifest({ files: ['sub'], cwd: dir, env: {} });
  t.same(codes(r), ['file-not-found']);
  t.match(r.diagnostics[0]!.message, /cannot read/);
});

t.test('every problem at once, across stages and files', async (t) => {
  const r = await loadFiles(
    t,
    {
      'orchestra.yaml': 'version: 1\nagents:\n  api:\n    command: [x, "${UNSET}"]\n    depends_on: { db: ready }\n    restart: { when: sometimes }\n',
      'over.yaml': 'agents:\n  api:\n    stop: { timeout: forever }\n',
    },
    { order: ['orchestra.yaml', 'over.yaml'] },
  );
  t.same(codes(r).sort(), ['bad-duration', 'bad-enum', 'unknown-dependency', 'unset-env-var']);
  t.same([...r.sources.keys()], [join(r.dir, 'orchestra.yaml'), join(r.dir, 'over.yaml')]);
});

t.test('errors in one file do not hide syntax errors in another', async (t) => {
  const r = await loadFiles(t, { 'a.yaml': 'version: 1\nagents: {}\nx: [\n', 'b.yaml': 'a: 1\na: 2\n' }, { order: ['a.yaml', 'b.yaml'] });
  t.same(codes(r), ['yaml-syntax', 'duplicate-key']);
});

t.test('warnings alone still give a plan', async (t) => {
  const r = await loadFiles(t, { 'orchestra.yaml': '%FOO bar\n---\nversion: 1\nagents:\n  api:\n    command: [x]\n' });
  t.same(codes(r), []);
  t.ok(r.diagnostics.some((d) => d.severity === 'warning'), 'the unknown directive is a warning');
  t.ok(r.plan);
});

t.test('an overlay null removes an agent; an unknown template in an overlay-added agent is reported', async (t) => {
  const r = await loadFiles(
    t,
    { 'orchestra.yaml': 'version: 1\nagents:\n  api:\n    command: [x]\n  old:\n    command: [y]\n', 'o.yaml': 'agents:\n  old: null\n' },
    { order: ['orchestra.yaml', 'o.yaml'] },
  );
  t.same(r.plan?.agents.map((a) => a.name), ['api']);
});

t.test('unknown keys in an unused template and an unchosen environment are still caught', async (t) => {
  const r = await loadFiles(t, {
    'orchestra.yaml': 'version: 1\ntemplates:\n  unused:\n    comand: [x]\nagents:\n  api:\n    command: [x]\nenvironments:\n  prod:\n    agents:\n      api: { replica: 2 }\n',
  });
  t.same(codes(r), ['unknown-key', 'unknown-key']);
  t.match(r.diagnostics.map((d) => d.message), ['unknown key "comand" in template "unused"', 'unknown key "replica" in agent "api" of environment "prod"']);
});

t.test('an extends loop through an agent-level list reports the loop once', async (t) => {
  const r = await loadFiles(t, {
    'orchestra.yaml': 'version: 1\ntemplates:\n  a: { extends: b }\n  b: { extends: c }\n  c: { extends: a }\nagents:\n  x: { extends: a, command: [x] }\n  y: { extends: [c], command: [y] }\n',
  });
  t.same(codes(r), ['extends-cycle']);
  t.equal(r.diagnostics[0]!.related?.length, 3, 'every link of the loop is a related location');
});

t.test('schema messages: oneOf collapsed to the branch meant, enums with suggestions', async (t) => {
  const r = await loadFiles(t, {
    'orchestra.yaml': [
      'version: 1',
      'agents:',
      '  db:',
      '    command: 5',
      '  api:',
      '    command: [x]',
      '    depends_on: { db: redy, other: { condition: ready, restrat: true } }',
      '    env_file: 3',
      '  other:',
      '    command: []',
      '    nice: 40',
      '    extends: 7',
    ].join('\n') + '\n',
  });
  const got = r.diagnostics.map((d) => `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  t.same(got, [
    'wrong-type: "command" in agent "db" must be a list or a string, got the number 5',
    'bad-enum: "depends_on.db" in agent "api" must be one of started, ready, completed; got the string "redy" (did you mean "ready"?)',
    'unknown-key: unknown key "restrat" in "depends_on.other" in agent "api" (did you mean "restart"?)',
    'wrong-type: "env_file" in agent "api" must be a string or a list, got the number 3',
    'empty-value: "command" in agent "other" must not be empty',
    'out-of-range: "nice" in agent "other" must be <= 19, got the number 40',
    'wrong-type: "extends" in agent "other" must be a template name or a list of names, got the number 7',
  ]);
});

t.test('keys that are Object.prototype names are ordinary keys', async (t) => {
  const r = await loadFiles(t, { 'orchestra.yaml': 'version: 1\nagents:\n  constructor:\n    command: [x]\n    __proto__: 1\n' });
  t.same(codes(r), ['unknown-key']);
  t.match(r.diagnostics[0]!.message, 'unknown key "__proto__" in agent "constructor"');
});
