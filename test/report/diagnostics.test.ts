import t from 'tap';
import type { Diagnostic } from '../../src/util/diagnostic.js';
import { LineIndex } from '../../src/manifest/source.js';
import { diagnosticsToJson, formatDiagnostic, formatDiagnostics } from '../../src/report/diagnostics.js';

const file = '/project/orchestra.yaml';
const text = 'version: 1\nagents:\n  api:\n    depend_on: { redis: ready }\n\tcommand: x\n';
const sources = new Map([[file, text]]);
const index = new LineIndex(text);
const at = (start: number, end: number) => ({ file, range: index.range(start, end) });
const offset = text.indexOf('depend_on');

const unknownKey: Diagnostic = {
  severity: 'error',
  code: 'unknown-key',
  message: 'unknown key "depend_on" in agent "api"',
  location: at(offset, offset + 'depend_on'.length),
  hint: 'did you mean "depends_on"?',
};

t.test('header, snippet, underline and hint, path relative to cwd', async (t) => {
  t.equal(
    formatDiagnostic(unknownKey, sources, { color: false, cwd: '/project' }),
    [
      'orchestra.yaml:4:5 error: unknown key "depend_on" in agent "api"',
      '  4 |     depend_on: { redis: ready }',
      '    |     ^~~~~~~~~',
      '  hint: did you mean "depends_on"?',
    ].join('\n'),
  );
  t.match(formatDiagnostic(unknownKey, sources, { color: false }), /^\/project\/orchestra\.yaml:4:5 /, 'absolute without cwd');
});

t.test('colour only when asked', async (t) => {
  t.notMatch(formatDiagnostic(unknownKey, sources, { color: false }), /\u001b\[/);
  const coloured = formatDiagnostic(unknownKey, sources, { color: true });
  t.match(coloured, /\u001b\[31m/, 'red for an error');
  t.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), formatDiagnostic(unknownKey, sources, { color: false }), 'same text without ANSI codes');
});

t.test('related locations each get a note and a snippet; tabs keep the caret aligned', async (t) => {
  const tab = text.indexOf('command');
  const d: Diagnostic = {
    severity: 'warning',
    code: 'x',
    message: 'first',
    location: at(tab, tab + 7),
    related: [{ message: 'second', location: at(offset, offset + 1) }, { message: 'nowhere' }],
  };
  t.equal(
    formatDiagnostic(d, sources, { color: false, cwd: '/project' }),
    [
      'orchestra.yaml:5:2 warning: first',
      '  5 | \tcommand: x',
      '    | \t^~~~~~~',
      '  orchestra.yaml:4:5 note: second',
      '    4 |     depend_on: { redis: ready }',
      '      |     ^',
      '  note: nowhere',
    ].join('\n'),
  );
});

t.test('a multi-line range is underlined to the end of its first line; no range means no snippet', async (t) => {
  const d: Diagnostic = { severity: 'error', code: 'x', message: 'm', location: at(text.indexOf('agents'), text.length) };
  t.equal(formatDiagnostic(d, sources, { color: false, cwd: '/project' }), 'orchestra.yaml:2:1 error: m\n  2 | agents:\n    | ^~~~~~~');
  t.equal(formatDiagnostic({ severity: 'error', code: 'x', message: 'm', location: { file } }, sources, { color: false, cwd: '/project' }), 'orchestra.yaml error: m');
  t.equal(formatDiagnostic({ severity: 'error', code: 'x', message: 'm' }, sources, { color: false }), 'error: m');
  t.equal(formatDiagnostic({ severity: 'error', code: 'x', message: 'm', location: at(0, 1) }, new Map(), { color: false }), '/project/orchestra.yaml:1:1 error: m', 'no source text, no snippet');
});

t.test('summary line', async (t) => {
  const warning: Diagnostic = { severity: 'warning', code: 'w', message: 'w' };
  t.match(formatDiagnostics([unknownKey, unknownKey, warning], sources, { color: false }), /\n\n2 errors, 1 warning$/);
  t.match(formatDiagnostics([unknownKey], sources, { color: false }), /\n\n1 error$/);
  t.equal(formatDiagnostics([warning, warning], sources, { color: false }), 'warning: w\n\nwarning: w\n\n2 warnings');
  t.equal(formatDiagnostics([], sources, { color: false }), 'no problems');
});

t.test('JSON shape is stable', async (t) => {
  t.same(diagnosticsToJson([unknownKey, { severity: 'warning', code: 'w', message: 'w', related: [{ message: 'r', location: { file } }] }]), {
    errors: 1,
    warnings: 1,
    diagnostics: [
      {
        severity: 'error',
        code: 'unknown-key',
        message: 'unknown key "depend_on" in agent "api"',
        file,
        line: 4,
        column: 5,
        endLine: 4,
        endColumn: 14,
        offset,
        length: 9,
        hint: 'did you mean "depends_on"?',
        related: [],
      },
      { severity: 'warning', code: 'w', message: 'w', related: [{ message: 'r', file }] },
    ],
  });
});
