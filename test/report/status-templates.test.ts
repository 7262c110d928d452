/**
 * src/generated/status-templates.ts must be what scripts/gen-templates.mjs makes of templates/status/
 * today, and its functions must print what handlebars itself prints from the same templates, byte for
 * byte: here handlebars compiles templates/status/ at test time and both render the same contexts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import * as compiled from '../../src/generated/status-templates.js';
import type { StatusSnapshot } from '../../src/report/status-snapshot.js';
import { statusView } from '../../src/report/status-view.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'templates', 'status');
type HandlebarsModule = typeof import('handlebars');
const Handlebars = createRequire(import.meta.url)('handlebars') as HandlebarsModule;

t.test('compiled status templates are up to date', async (t) => {
  const { generateTemplates } = (await import(join(root, 'scripts', 'gen-templates.mjs'))) as { generateTemplates: () => string };
  const current = readFileSync(join(root, 'src', 'generated', 'status-templates.ts'), 'utf8');
  t.equal(generateTemplates(), current, 'src/generated/status-templates.ts is stale: run `npm run gen`');
});

const assetText = (name: string): string => readFileSync(join(dir, 'assets', name), 'utf8');

/** The templates as handlebars renders them, with the options and helpers the page always had. */
function handlebarsTemplates(): Record<'page' | 'region' | 'history' | 'detail', (context: object) => string> {
  const hbs = Handlebars.create();
  hbs.registerHelper('asset', (name: string) => new hbs.SafeString(assetText(name)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  for (const f of readdirSync(join(dir, 'partials'))) hbs.registerPartial(f.slice(0, -4), readFileSync(join(dir, 'partials', f), 'utf8'));
  const compile = (source: string): ((context: object) => string) => hbs.compile(source, { preventIndent: true });
  return {
    page: compile(readFileSync(join(dir, 'page.hbs'), 'utf8')),
    region: compile('{{> region}}'),
    history: compile('{{> history}}'),
    detail: compile('{{> agent-detail}}'),
  };
}

const helpers = {
  asset: (name: string) => ({ toHTML: () => assetText(name) }),
  eq: (a: unknown, b: unknown) => a === b,
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
  concat: (...args: unknown[]) => args.map(String).join(''),
};

const fixture = (name: string): StatusSnapshot =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as StatusSnapshot;

const history = {
  rows: [
    { number: 3, time: '2026-01-02T03:04:05Z', source: 'rollback', rollbackOf: 1, environment: 'prod', gitCommit: 'abcdef0123456789', gitShort: 'abcdef01', gitDirty: true, summary: '+1 ~0 -2 <b>', current: true },
    { number: 2, time: '2026-01-01T03:04:05Z', source: 'apply', summary: 'a "quoted" `tick` = sign', current: false },
  ],
  unreadable: [7, 9],
};
const detail = {
  name: 'web-1', agent: 'web', state: 'running', config: 'command: [a, "<b>"]\n',
  alerts: [{ level: 'warn', kind: 'cpu', message: 'cpu > 50%', since: '2026-01-01T00:00:00Z' }],
  probes: [{ kind: 'readiness', check: 'http http://x/?a=1&b=2', every: '2s', last: { ok: false, message: 'refused', at: 'now', failures: 0 } }, { kind: 'liveness', check: 'tcp 1', every: '5s' }],
  restarts: [{ at: 't', reason: 'crashed', exit: 'exit 1' }, { at: 'u', reason: 'manual' }],
  events: [{ time: 't', severity: 'error', message: 'm & n', earlier: true }],
};

t.test('the compiled functions print what handlebars prints', async (t) => {
  const hbs = handlebarsTemplates();
  const same = (context: object, what: string): void => {
    for (const name of ['page', 'region', 'history', 'detail'] as const) t.equal(compiled[name](context, helpers), hbs[name](context), `${what}: ${name}`);
  };
  const live = { token: 'a'.repeat(64), nonce: 'bm9uY2U=' };
  const logTails = [{ instance: 'a', lines: ['x <y>', 'z'] }, { instance: 'b', lines: [], missing: true }];
  for (const name of ['healthy', 'degraded', 'empty']) {
    const view = statusView(fixture(name));
    same({ view }, name);
    same({ view, live, history, logTails }, `${name}, live`);
    same({ view, live: { token: 'b' }, history: { rows: [], unreadable: [] } }, `${name}, live without nonce`);
    same({ view, history, logTails, detail }, `${name}, static with history and logs`);
  }
  same({ detail: { ...detail, alerts: [], probes: [], restarts: [], events: [] } }, 'empty detail');
  // Any text in names, descriptions, reasons and commands: escaped the same way.
  const snapshot = fixture('degraded');
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 4, maxLength: 4 }), ([name, description, reason, arg]) => {
      const agents = snapshot.agents.map((a) => ({ ...a, name: name!, description: description!, reason: reason!, command: [arg!] }));
      const view = statusView({ ...snapshot, agents });
      for (const context of [{ view }, { view, live }]) if (compiled.page(context, helpers) !== hbs.page(context)) return false;
      return true;
    }),
    { numRuns: 50 },
  );
});
