import { parse as parseDotenv } from 'dotenv';
import t from 'tap';
import type { ManifestDraft } from '../../src/import/draft.js';
import { secretEnvValues, splitSecrets } from '../../src/import/secret-env.js';

const draft = (env: Record<string, string>, command: string[] = ['server']): ManifestDraft => ({
  header: [],
  agents: [{ name: 'web', fields: { command, env }, comments: [] }],
});
const envOf = (d: ManifestDraft, agent = 0): Record<string, string> => d.agents[agent]!.fields['env'] as Record<string, string>;
const dotenvOf = (lines: string[]): Record<string, string> => parseDotenv(lines.join('\n'));

t.test('a secret key by the one rule becomes a reference; its value goes to .env; other keys stay', async (t) => {
  const split = splitSecrets(draft({ API_TOKEN: 'Jq8ZrW2x', PORT: '80', MY_PASSWORD: 'Q' }), {});
  t.same(envOf(split.draft), { API_TOKEN: '${API_TOKEN}', PORT: '80', MY_PASSWORD: '${MY_PASSWORD}' });
  t.same(dotenvOf(split.dotenvLines), { API_TOKEN: 'Jq8ZrW2x', MY_PASSWORD: 'Q' });
  t.same(split.moved.map((m) => [m.agent, m.key, m.variable, m.plain]), [['web', 'API_TOKEN', 'API_TOKEN', 'Jq8ZrW2x'], ['web', 'MY_PASSWORD', 'MY_PASSWORD', 'Q']]);
  t.same(split.kept, []);
  t.same(split.values, ['Jq8ZrW2x'], 'only values the rule hunts in other text are masked there');
});

t.test('the same value inside another string (a token on the command line) becomes the same reference', async (t) => {
  const split = splitSecrets(draft({ API_TOKEN: 'Jq8ZrW2x' }, ['server', '--token=Jq8ZrW2x']), {});
  t.same(split.draft.agents[0]!.fields['command'], ['server', '--token=${API_TOKEN}']);
});

t.test('escapes are undone for .env: .env gives interpolation the value the agent saw', async (t) => {
  // `literal()` wrote `pa$${x}` for the source text `pa${x}`.
  const split = splitSecrets(draft({ DB_PASSWORD: 'pa$${x}$$$$y' }), {});
  t.same(dotenvOf(split.dotenvLines), { DB_PASSWORD: 'pa${x}$$y' });
});

t.test('quotes and newlines are written so dotenv reads them back exactly, or the value is kept', async (t) => {
  for (const value of [`a'b`, 'a"b', 'two\nlines', 'sp ace', '#hash', 'back\\slash']) {
    const split = splitSecrets(draft({ SECRET: value }), {});
    if (split.moved.length === 1) t.equal(dotenvOf(split.dotenvLines)['SECRET'], value, JSON.stringify(value));
    else t.same(split.kept.map((k) => k.key), ['SECRET'], `${JSON.stringify(value)} is kept`);
  }
  const unwritable = splitSecrets(draft({ SECRET: `a'b"c\`d\ne` }), {});
  t.same(unwritable.kept.map((k) => k.key), ['SECRET'], 'no quoting carries this one: kept, and reported');
  t.same(envOf(unwritable.draft), { SECRET: `a'b"c\`d\ne` });
});

t.test('references are left alone; literal text mixed with references or templates is kept', async (t) => {
  const split = splitSecrets(draft({ API_TOKEN: '${API_TOKEN}', DB_PASSWORD: '${DB_PASSWORD:-}', SECRET_URL: 'https://u:pw9@${HOST}', TOKEN_T: 'Zz9\\{{x}}' }), {});
  t.same(split.moved, []);
  t.same(split.kept.map((k) => [k.key, k.literal]), [['SECRET_URL', 'https://u:pw9@'], ['TOKEN_T', 'Zz9\\{{x}}']]);
  t.same(split.dotenvLines, []);
  t.ok(split.values.includes('https://u:pw9@'), 'the literal part of a kept secret is masked in outputs');
});

t.test('.env is never overwritten: the same value is reused, another value gets a longer name', async (t) => {
  const same = splitSecrets(draft({ API_TOKEN: 'Jq8ZrW2x' }), { API_TOKEN: 'Jq8ZrW2x' });
  t.same(same.dotenvLines, [], 'nothing to add');
  t.same(envOf(same.draft), { API_TOKEN: '${API_TOKEN}' });
  const other = splitSecrets(draft({ API_TOKEN: 'Jq8ZrW2x' }), { API_TOKEN: 'someone-else', WEB_API_TOKEN: 'x' });
  t.same(envOf(other.draft), { API_TOKEN: '${WEB_API_TOKEN_2}' });
  t.same(dotenvOf(other.dotenvLines), { WEB_API_TOKEN_2: 'Jq8ZrW2x' });
});

t.test('two agents, defaults and overlays: each value one variable, named apart where they differ', async (t) => {
  const d: ManifestDraft = {
    header: [],
    defaults: { env: { SHARED_SECRET: 'Sh4red' } },
    agents: [
      { name: 'web', fields: { env: { API_TOKEN: 'AaaA1' } }, comments: [] },
      { name: 'api-2', fields: { env: { API_TOKEN: 'BbbB2', OTHER_TOKEN: 'AaaA1' } }, comments: [] },
    ],
    environments: { production: { web: { env: { API_TOKEN: 'CccC3' } } } },
  };
  t.same(secretEnvValues(d).map((s) => [s.agent ?? '-', s.environment ?? '-', s.key]), [
    ['-', '-', 'SHARED_SECRET'],
    ['web', '-', 'API_TOKEN'],
    ['api-2', '-', 'API_TOKEN'],
    ['api-2', '-', 'OTHER_TOKEN'],
    ['web', 'production', 'API_TOKEN'],
  ]);
  const split = splitSecrets(d, {});
  t.same(split.draft.defaults, { env: { SHARED_SECRET: '${SHARED_SECRET}' } });
  t.same(envOf(split.draft, 1), { API_TOKEN: '${API_2_API_TOKEN}', OTHER_TOKEN: '${API_TOKEN}' }, 'one value, one variable');
  t.same(split.draft.environments, { production: { web: { env: { API_TOKEN: '${WEB_API_TOKEN}' } } } });
  t.same(dotenvOf(split.dotenvLines), { SHARED_SECRET: 'Sh4red', API_TOKEN: 'AaaA1', API_2_API_TOKEN: 'BbbB2', WEB_API_TOKEN: 'CccC3' });
});
