import { existsSync } from 'node:fs';
import t from 'tap';
import { startDashboardServer } from '../../src/daemon/dashboard-server.js';
import { dep, harness, plan, spec } from '../supervise/spec-helper.js';
import { browserMissing, launchBrowser, watchPage } from './fixtures/browser.js';
import { EngineBackend } from './fixtures/engine-backend.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('the dashboard drives a real engine: Stop ends the process', async (t) => {
    const WAIT = { timeout: 60_000 };
    const p = plan([spec({ name: 'db' }), spec({ name: 'app', dependsOn: [dep('db', 'started')] })]);
    const h = harness(t, p);
    const backend = new EngineBackend(h.engine, p, h.stateDir);
    const server = await startDashboardServer(backend);
    t.teardown(() => server.close());
    const browser = await launchBrowser();
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const { problems } = watchPage(page);
    await page.goto(server.url);
    await page.locator('#conn.conn-live').waitFor(WAIT);
    t.equal(await page.locator('.card').count(), 2);

    await page.locator('button[data-action="start-all"]').click();
    const running = (agent: string) => page.locator(`.card[data-agent="${agent}"] .state-word`).filter({ hasText: /^running$/ });
    await running('db').waitFor(WAIT);
    await running('app').waitFor(WAIT);
    const pid = h.engine.status().find((s) => s.name === 'app')!.pid!;
    t.ok(existsSync(`/proc/${pid}`), `app runs as pid ${pid}`);
    t.match(await page.locator('.card[data-agent="app"] .stats').textContent(), String(pid), 'the card shows the pid');

    await page.locator('.card[data-agent="app"] button[data-action="stop"]').click();
    await page.locator('#confirm-ok').click();
    await page.locator('.card[data-agent="app"] .state-word').filter({ hasText: /^stopped$/ }).waitFor(WAIT);
    await page.locator('#op-log li.op-ok').filter({ hasText: 'stopped app' }).waitFor(WAIT);
    // The engine reaps before it reports stopped, so the pid is gone, not a zombie.
    t.notOk(existsSync(`/proc/${pid}`), 'the process is gone from /proc');
    t.equal(h.engine.status().find((s) => s.name === 'db')!.state, 'running', 'its dependency is untouched');
    t.same(problems, []);
  });
}
