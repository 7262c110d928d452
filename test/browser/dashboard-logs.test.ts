import t from 'tap';
import { fixtureAgents, Project } from '../cli/project.js';
import { browserMissing } from './fixtures/browser.js';
import { openDaemonDashboard } from './fixtures/daemon-dashboard.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('Logs for an instance: the tail, then live lines, filtered, markup as text, secrets masked', async (t) => {
    const WAIT = { timeout: 60_000 };
    const SECRET = 's3cret-value-1234';
    const MARKUP = '<b>bold</b> <img src=x onerror=alert(1)>';
    const p = new Project(
      t,
      [
        'version: 1',
        'name: logs',
        'agents:',
        '  api:',
        `    command: ["node", "${fixtureAgents}print-on-signal.js", "hello from api", ${JSON.stringify(MARKUP)}, "env:API_TOKEN"]`,
        `    env: { API_TOKEN: "${SECRET}" }`,
        '    stop: { timeout: 2s }',
        '  off:',
        `    command: ["node", "${fixtureAgents}forever.js"]`,
        '    disabled: true',
        '',
      ].join('\n'),
    );
    const { page, url, problems } = await openDaemonDashboard(t, p);

    await page.getByRole('button', { name: 'Logs for api' }).click();
    const log = page.getByRole('log', { name: 'Logs of api' });
    await log.getByText('hello from api', { exact: true }).waitFor(WAIT);
    t.equal(await log.getByText(MARKUP, { exact: true }).count(), 1, 'a line holding markup shows the characters it holds');
    t.equal(await log.locator('b, img').count(), 0, 'and no element was made from it');
    t.equal(await log.getByText('API_TOKEN=***', { exact: true }).count(), 1, 'the secret is masked');
    t.notMatch(await page.content(), SECRET, 'the secret value is nowhere on the page');
    t.ok(await page.getByRole('checkbox', { name: 'Follow' }).isChecked(), 'the view follows by default');

    // A line printed after the view opened arrives over the stream.
    process.kill(p.pids().api!, 'SIGUSR1');
    await log.getByText('signal 0', { exact: true }).waitFor(WAIT);

    await page.getByRole('searchbox', { name: 'Filter logs' }).fill('signal');
    await log.getByText('hello from api', { exact: true }).waitFor({ state: 'hidden', ...WAIT });
    t.ok(await log.getByText('signal 0', { exact: true }).isVisible(), 'the matching line stays');
    process.kill(p.pids().api!, 'SIGUSR1');
    await log.getByText('signal 1', { exact: true }).waitFor(WAIT);
    t.pass('a new line that matches the filter shows too');

    await page.getByRole('searchbox', { name: 'Filter logs' }).fill('');
    await log.getByText('hello from api', { exact: true }).waitFor(WAIT);
    // Escape in an empty filter closes the view (in a filled one the browser first clears the filter).
    await page.keyboard.press('Escape');
    await log.waitFor({ state: 'hidden', ...WAIT });
    t.ok(await page.getByRole('button', { name: 'Logs for api' }).evaluate((el) => el === el.ownerDocument.activeElement), 'focus is back on the button');

    await page.getByRole('button', { name: 'Logs for off' }).click();
    await page.locator('#log-status').filter({ hasText: 'No log yet for off' }).waitFor(WAIT);
    t.equal(await page.getByRole('log', { name: 'Logs of off' }).locator('.log-line').count(), 0);
    await page.keyboard.press('Escape');

    t.same(problems, [], 'no CSP violations, script errors or alerts');
    const token = new URL(url).searchParams.get('token')!;
    const statuses = await page.evaluate(async (token) => {
      const get = (path: string) => fetch(path).then((r) => r.status);
      return [await get('/api/agents/api/logs'), await get('/api/agents/nope/logs?token=' + token), await get('/api/agents/api/logs?token=' + 'x'.repeat(64))];
    }, token);
    t.same(statuses, [401, 404, 401], 'the log stream needs the token and a known instance');
  });
}
