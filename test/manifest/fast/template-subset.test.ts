/**
 * The template fast path must agree with Handlebars itself: every case is
 * rendered both ways (the fast path through renderTemplate, the reference
 * through a fresh strict Handlebars instance with the same helpers).
 */
import Handlebars from 'handlebars';
import t from 'tap';
import { renderTemplate } from '../../../src/manifest/template.js';

const reference = Handlebars.create();
reference.registerHelper('add', (...args: unknown[]) => args.slice(0, -1).reduce((a: number, b) => a + Number(b), 0));
reference.registerHelper('default', (v: unknown, d: unknown) => (v === undefined || v === null || v === '' ? d : v));
reference.registerHelper('json', (v: unknown) => JSON.stringify(v ?? null));

const context = {
  vars: { port: 8080, name: 'api', empty: '', zero: 0, no: false, list: ['a', 'b'], nested: { x: 1 }, nothing: null },
  env: { HOME: '/home/u' },
  agent: { name: 'api', instance: 'api-1' },
  replica: { index: 1, count: 2 },
};

const ok = [
  'plain text',
  '{{vars.port}}',
  '{{ vars.port }}',
  'http://127.0.0.1:{{vars.port}}/x',
  '{{agent.name}}-{{agent.instance}}-{{replica.index}}/{{replica.count}}',
  '{{add vars.port replica.index}}',
  '{{add 1 2 3}}',
  '{{add "4" 1}}',
  '{{default vars.missing "fallback"}}',
  "{{default vars.empty 'e'}}",
  '{{default vars.zero 5}}',
  '{{default vars.no 5}}',
  '{{json vars.list}}',
  '{{json vars.nested}}',
  '{{json vars.missing}}',
  '{{vars.zero}} {{vars.no}} {{vars.empty}}',
  '{{vars.list}}',
  '{{vars.nothing}}',
  '{{env.HOME}}',
  '{{#if vars.port}}yes{{/if}}',
  '{{#each vars.list}}{{this}};{{/each}}',
  'a {{!comment}} b',
  '{{{vars.name}}}',
];

for (const source of ok) {
  t.test(source, async (t) => {
    const want = reference.compile(source, { strict: true, noEscape: true })(context);
    t.same(renderTemplate(source, context), { ok: true, value: want });
  });
}

t.test('strict: an unknown name is an error, with a suggestion', async (t) => {
  for (const source of ['{{vars.prot}}', 'x {{vars.prot}} y', '{{#if true}}{{vars.prot}}{{/if}}']) {
    t.throws(() => reference.compile(source, { strict: true, noEscape: true })(context), 'Handlebars agrees it is an error');
    t.match(renderTemplate(source, context), { ok: false, code: 'unknown-template-variable', message: /unknown template variable "vars\.prot"/, hint: 'did you mean "vars.port"?' });
  }
  t.match(renderTemplate('{{nope}}', context), { ok: false, code: 'unknown-template-variable', message: /"nope"/ });
  t.match(renderTemplate('{{env.NOT_SET}}', context), { ok: false, hint: /set NOT_SET in the environment/ });
});

t.test('syntax errors and helper errors are data, not exceptions', async (t) => {
  t.match(renderTemplate('{{#if x}}', context), { ok: false, code: 'template-syntax' });
  t.match(renderTemplate('{{add "x" 1}}', context), { ok: false, code: 'template-error', message: /add expects numbers/ });
  t.match(renderTemplate('{{vars.port.deeper}}', context), { ok: false });
});

t.test('with ORCHESTRA_FULL_PARSERS Handlebars renders every case, to the same outcome', async (t) => {
  const cases = [...ok, '{{vars.prot}}', '{{nope}}', '{{env.NOT_SET}}', '{{add "x" 1}}', '{{vars.port.deeper}}', '{{#if x}}'];
  const fast = cases.map((c) => renderTemplate(c, context));
  process.env['ORCHESTRA_FULL_PARSERS'] = '1';
  t.teardown(() => delete process.env['ORCHESTRA_FULL_PARSERS']);
  const full = cases.map((c) => renderTemplate(c, context));
  cases.forEach((c, i) => t.same(full[i], fast[i], c));
});
