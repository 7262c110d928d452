import t from 'tap';
import { interpolateString } from '../../src/manifest/interpolate.js';

const env = { A: 'a', EMPTY: '', N: '3' };

t.test('forms', async (t) => {
  const cases: [string, string][] = [
    ['${A}', 'a'],
    ['x-${A}-y', 'x-a-y'],
    ['${MISSING:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${MISSING-d}', 'd'],
    ['${A:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${MISSING+alt}', ''],
    ['${MISSING:-${A}}', 'a'],
    ['$$', '$'],
    ['$${A}', '${A}'],
    ['cost $5', 'cost $5'],
    ['$A', '$A'],
    ['no dollars', 'no dollars'],
  ];
  for (const [input, want] of cases) {
    const r = interpolateString(input, env);
    t.equal(r.value, want, input);
    t.same(r.problems, [], `${input} has no problems`);
  }
});

t.test('problems', async (t) => {
  t.match(interpolateString('${NOPE}', env).problems, [{ code: 'unset-env-var', message: 'environment variable "NOPE" is not set' }]);
  t.match(interpolateString('${NOPE:?give it}', env).problems, [{ code: 'required-env-var', message: 'environment variable "NOPE" is required: give it' }]);
  t.match(interpolateString('${EMPTY:?}', env).problems, [{ code: 'required-env-var' }]);
  t.same(interpolateString('${EMPTY?}', env).problems, [], '? only fails when unset');
  t.match(interpolateString('${A', env).problems, [{ code: 'bad-interpolation' }]);
  t.match(interpolateString('${1A}', env).problems, [{ code: 'bad-interpolation' }]);
  t.match(interpolateString('${A!x}', env).problems, [{ code: 'bad-interpolation' }]);
  t.equal(interpolateString('${X} ${Y}', env).problems.length, 2, 'every unset variable is reported');
  t.match(interpolateString('${constructor}', env).problems, [{ code: 'unset-env-var' }], 'prototype names are not variables');
});
