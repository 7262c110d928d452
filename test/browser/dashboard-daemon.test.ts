import t from 'tap';
import { alive, foreverManifest, Project } from '../cli/project.js';
import { browserMissing } from './fixtures/browser.js';
import { openDaemonDashboard } from './fixtures/daemon-dashboard.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('orchestra dashboard in a browser: stop, start all, emergency stop, on the real daemon', async (t) => {
    const WAIT = { timeout: 60_000 };
    const p = new Project(t, foreverManifest({ db: [], app: ['depends_on: { db: started }'] }));
    const { browser, page, url, problems } = await openDaemonDashboard(t, p);
    t.equal(await page.locator('.card').count(), 2, 'every agent has a card');
    const state = (agent: string, word: string) =>
      page.locator(`.card[data-agent="${agent}"] .state-word`).filter({ hasText: new RegExp(`^${word}$`) });

    const app = p.pids().app!;
    await page.locator('.card[data-agent="app"] button[data-action="stop"]').click();
    await page.locator('#confirm-ok').click();
    await state('app', 'stopped').waitFor(WAIT);
    t.notOk(alive(app), 'the stopped process is gone from /proc');
    t.ok(alive(p.pids().db!), 'its dependency runs on');

    await page.locator('button[data-action="start-all"]').click();
    await state('app', 'running').waitFor(WAIT);
    // state.json is written just after the event the page shows, so give the record a moment.
    const deadline = Date.now() + 10_000;
    while (p.pids().app === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const restarted = p.pids().app;
    t.ok(restarted !== undefined && alive(restarted), 'Start all brought it back');

    const all = Object.values(p.pids());
    await page.locator('button[data-action="kill"]').click();
    await page.locator('#kill-input').fill('test');
    await page.locator('#kill-ok').click();
    await state('db', 'stopped').waitFor(WAIT);
    for (const pid of all) t.notOk(alive(pid), `pid ${pid} killed`);

    const anonymous = await browser.newPage();
    const refused = await anonymous.goto(new URL(url).origin + '/');
    t.equal(refused?.status(), 401, 'no token, no dashboard');
    t.same(problems, []);
  });
}
