import t from 'tap';
import { fixtureAgents, Project } from '../cli/project.js';
import { browserMissing } from './fixtures/browser.js';
import { openDaemonDashboard } from './fixtures/daemon-dashboard.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('clicking an agent\'s name shows its config masked, probes, restarts with the exit, events', async (t) => {
    const WAIT = { timeout: 60_000 };
    const SECRET = 'detail-secret-value';
    const p = new Project(
      t,
      [
        'version: 1',
        'name: detail',
        'agents:',
        '  api:',
        `    command: ["node", "${fixtureAgents}print-on-signal.js", "ready now"]`,
        `    env: { API_TOKEN: "${SECRET}", PLAIN: "visible" }`,
        '    readiness: { log: "ready now" }',
        '    restart: { when: always, strategy: immediate }',
        '    stop: { timeout: 2s }',
        '',
      ].join('\n'),
    );
    const { page, problems } = await openDaemonDashboard(t, p);
    const first = p.pids().api!;
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while ((p.pids().api === undefined || p.pids().api === first) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.not(p.pids().api, first, 'the engine restarted api after the kill');
    await page.locator('.card[data-agent="api"] .state-word').filter({ hasText: /^running$/ }).waitFor(WAIT);

    await page.getByRole('button', { name: 'api', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'api' });
    await dialog.waitFor(WAIT);
    const restartRow = dialog.locator('.detail-table tbody tr').first();
    t.match(await restartRow.textContent(), 'signal SIGKILL', 'the restart history names the signal that ended the run');
    t.match(await dialog.locator('.detail-list').textContent(), /readiness.*log line matching \/ready now\/.*passed/s, 'the probe and its last result');
    const config = await dialog.getByLabel('Resolved configuration of api').textContent();
    t.match(config, '"API_TOKEN": "***"', 'the secret is masked in the config');
    t.match(config, '"PLAIN": "visible"');
    t.match(await dialog.locator('.events').textContent(), `started (pid ${first})`, 'its events');
    t.notMatch(await page.content(), SECRET);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    t.ok(await page.getByRole('button', { name: 'api', exact: true }).evaluate((el) => el === el.ownerDocument.activeElement), 'focus returns to the name');
    t.same(problems, []);
  });
}
