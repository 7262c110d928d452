import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import { startDashboardServer, type DashboardServer } from '../../src/daemon/dashboard-server.js';
import { renderStatusPage } from '../../src/report/status-page.js';
import { browserMissing, launchBrowser, watchPage } from './fixtures/browser.js';
import { loadFixture, TestBackend } from './fixtures/test-backend.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.setTimeout(300_000);
  const browser: Browser = await launchBrowser();
  t.teardown(() => browser.close());
  const WAIT = { timeout: 30_000 };

  /** A server over a fresh in-memory fleet and a page showing its dashboard. */
  async function open(t: Tap, fixture = 'healthy'): Promise<{ server: DashboardServer; backend: TestBackend; page: Page; problems: string[] }> {
    const backend = new TestBackend(loadFixture(fixture));
    const server = await startDashboardServer(backend);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    t.teardown(async () => {
      await context.close();
      await server.close();
    });
    const page = await context.newPage();
    const { problems } = watchPage(page);
    await page.goto(server.url);
    await page.locator('#conn.conn-live').waitFor(WAIT);
    return { server, backend, page, problems };
  }

  type Tap = { teardown(fn: () => unknown): void };
  const stateOf = (page: Page, agent: string) => page.locator(`.card[data-agent="${agent}"] .state-word`);
  const waitState = (page: Page, agent: string, state: string) => stateOf(page, agent).filter({ hasText: new RegExp(`^${state}$`) }).waitFor(WAIT);

  t.test('the dashboard shows every agent and connects live', async (t) => {
    const { page, backend, problems } = await open(t);
    const names = await page.locator('.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-agent')));
    t.same(names, backend.snapshot().agents.map((a) => a.name));
    t.equal(await page.locator('#conn-text').textContent(), 'live');
    // A change made behind the page's back arrives over the event stream.
    backend.setState('worker', 'failed');
    await waitState(page, 'worker', 'failed');
    t.same(problems, [], 'no CSP violations, script errors or alerts');
  });

  t.test('Stop asks for confirmation, then the card turns stopped', async (t) => {
    const { page, backend, problems } = await open(t);
    await page.locator('.card[data-agent="redis"] button[data-action="stop"]').click();
    const dialog = page.locator('#confirm-dialog');
    await dialog.waitFor({ state: 'visible', ...WAIT });
    t.equal(await page.locator('#confirm-title').textContent(), 'Stop redis?');
    t.same(backend.calls, [], 'nothing happens before confirming');
    await page.locator('#confirm-ok').click();
    await waitState(page, 'redis', 'stopped');
    t.same(backend.calls.map((c) => `${c.phase} ${c.action} ${c.names.join()}`), ['begin stop redis', 'end stop redis']);
    await page.locator('#op-log li.op-ok').filter({ hasText: 'stopped redis' }).waitFor(WAIT);
    t.ok(await page.locator('#op').isHidden(), 'the progress indicator is gone');
    t.ok(await page.locator('.card[data-agent="redis"] button[data-action="stop"]').isDisabled(), 'Stop is disabled on a stopped agent');
    await page.waitForFunction(`document.activeElement?.matches('.card[data-agent="redis"] button[data-action="start"]')`, undefined, WAIT);
    t.pass('focus moves to the card\'s first enabled button, since Stop is now disabled');
    t.same(problems, []);
  });

  t.test('Cancel and Escape leave everything running', async (t) => {
    const { page, backend } = await open(t);
    await page.locator('.card[data-agent="worker"] button[data-action="restart"]').click();
    await page.locator('#confirm-cancel').click();
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden', ...WAIT });
    // Keyboard: focus the Stop button, Enter opens the dialog with focus on Cancel, Escape closes it.
    await page.locator('.card[data-agent="worker"] button[data-action="stop"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog').waitFor({ state: 'visible', ...WAIT });
    t.ok(await page.locator('#confirm-cancel').evaluate((el) => el === el.ownerDocument.activeElement), 'the safe choice has focus');
    await page.keyboard.press('Escape');
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden', ...WAIT });
    t.same(backend.calls, []);
    t.equal(await stateOf(page, 'worker').textContent(), 'running');
  });

  t.test('Start all runs without a question and shows its result', async (t) => {
    const { page, backend } = await open(t, 'degraded');
    await page.locator('button[data-action="start-all"]').click();
    await page.locator('#op-log li.op-ok').filter({ hasText: 'Start all' }).waitFor(WAIT);
    for (const agent of backend.snapshot().agents) {
      await waitState(page, agent.name.replace(/"/g, '\\"'), agent.type === 'oneshot' ? 'exited' : 'running');
    }
    t.same(backend.calls.map((c) => c.action), ['startAll', 'startAll']);
  });

  t.test('a refused action shows its error', async (t) => {
    const { page, backend } = await open(t);
    backend.setState('worker', 'stopped');
    await waitState(page, 'worker', 'stopped');
    backend.refuseStart.add('worker');
    await page.locator('.card[data-agent="worker"] button[data-action="start"]').click();
    const error = page.locator('#op-log li.op-error');
    await error.waitFor(WAIT);
    t.match(await error.textContent(), 'worker is disabled in the manifest');
    await page.waitForFunction(`document.activeElement?.matches('.card[data-agent="worker"] button[data-action="start"]')`, undefined, WAIT);
    t.pass('focus is back on the Start button that was pressed');
  });

  t.test('Emergency stop requires typing the project name', async (t) => {
    const { page, backend } = await open(t);
    await page.locator('button[data-action="kill"]').click();
    await page.locator('#kill-dialog').waitFor({ state: 'visible', ...WAIT });
    const ok = page.locator('#kill-ok');
    t.ok(await ok.isDisabled(), 'disabled before typing');
    await page.locator('#kill-input').fill('research');
    t.ok(await ok.isDisabled(), 'disabled for a wrong name');
    await page.locator('#kill-input').press('Enter');
    t.ok(await page.locator('#kill-dialog').isVisible(), 'Enter does nothing with a wrong name');
    await page.locator('#kill-input').fill('research-fleet');
    t.ok(await ok.isEnabled(), 'enabled for the exact name');
    t.same(backend.calls, []);
    await ok.click();
    await page.locator('#op-log li.op-ok').filter({ hasText: 'killed 5 agents' }).waitFor(WAIT);
    for (const agent of backend.snapshot().agents) await waitState(page, agent.name, 'stopped');
    t.same(backend.calls.map((c) => c.action), ['kill', 'kill']);
  });

  t.test('requests without the token are refused', async (t) => {
    const { page, server, backend } = await open(t);
    const statuses = await page.evaluate(async (token) => {
      const post = (path: string, headers: Record<string, string> = {}) => fetch(path, { method: 'POST', headers }).then((r) => r.status);
      return [
        await post('/api/all/stop'),
        await post(`/api/all/stop?token=${token}`),
        await post('/api/all/stop', { 'X-Orchestra-Token': 'x'.repeat(64) }),
        await fetch('/api/status').then((r) => r.status),
      ];
    }, server.token);
    t.same(statuses, [401, 401, 401, 401]);
    t.same(backend.calls, []);
    const bare = await page.goto(server.url.replace(/\?token=.*$/, ''));
    t.equal(bare?.status(), 401, 'the page without its token');
  });

  t.test('hostile text stays text, on the static page and the dashboard', async (t) => {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    const { problems } = watchPage(page);
    await page.setContent(renderStatusPage(loadFixture('degraded')));
    t.equal(await page.locator('img').count(), 0, 'no injected image');
    t.equal(await page.locator('script').count(), 0, 'no script on the static page');
    t.equal(await page.locator('.project').textContent(), 'fleet <script>alert(1)</script>');
    t.equal(await page.locator('.card[data-agent="migrate"] .desc').textContent(), '<script>alert(1)</script>');
    t.same(problems, [], 'nothing ran');

    const live = await open(t, 'degraded');
    live.backend.setState('redis', 'stopping');
    await waitState(live.page, 'redis', 'stopping');
    t.equal(await live.page.locator('img').count(), 0, 'none after a live update either');
    t.equal(await live.page.locator('script').count(), 1, 'only our own script');
    t.same(live.problems, []);
  });
}
