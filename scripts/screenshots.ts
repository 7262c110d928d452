/**
 * Regenerates the screenshots in docs/images/ from the status page fixtures:
 * the static page at desktop and phone size, and the live dashboard served by
 * a real dashboard server over the in-memory test fleet: the overview, the
 * confirmation and emergency stop dialogs, the log view, the History with a
 * diff and a rollback's plan, and the agent detail.
 *
 *   node --import=@tapjs/typescript/import scripts/screenshots.ts
 *
 * Needs /usr/bin/chromium and playwright-core (a dev dependency).
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDashboardServer } from '../src/daemon/dashboard-server.js';
import { renderStatusPage } from '../src/report/status-page.js';
import { browserMissing, launchBrowser } from '../test/browser/fixtures/browser.js';
import { loadFixture, TestBackend } from '../test/browser/fixtures/test-backend.js';

const missing = browserMissing();
if (missing) {
  process.stderr.write(`screenshots: ${missing}\n`);
  process.exitCode = 1;
} else {
  const out = fileURLToPath(new URL('../docs/images/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const browser = await launchBrowser();
  try {
    const statics: [file: string, fixture: string, width: number, height: number, scheme: 'light' | 'dark'][] = [
      ['status-healthy-1280x800.png', 'healthy', 1280, 800, 'light'],
      ['status-degraded-1280x800.png', 'degraded', 1280, 800, 'light'],
      ['status-degraded-390x844.png', 'degraded', 390, 844, 'dark'],
      ['status-healthy-390x844.png', 'healthy', 390, 844, 'light'],
    ];
    for (const [file, fixture, width, height, colorScheme] of statics) {
      const html = join(tmpdir(), `orchestra-status-${fixture}.html`);
      writeFileSync(html, renderStatusPage(loadFixture(fixture)));
      const page = await browser.newPage({ viewport: { width, height }, colorScheme });
      await page.goto(`file://${html}`);
      await page.screenshot({ path: join(out, file) });
      await page.close();
      process.stdout.write(`wrote docs/images/${file}\n`);
    }
    const backend = new TestBackend(loadFixture('healthy'));
    const logs = mkdtempSync(join(tmpdir(), 'orchestra-shot-logs-'));
    backend.logDir = logs;
    writeFileSync(
      join(logs, 'api-0.log'),
      Array.from({ length: 60 }, (_, i) => `2026-11-23T11:0${Math.floor(i / 10)}:${String((i * 7) % 60).padStart(2, '0')}Z GET /orders/${1000 + i} 200 ${3 + (i % 9)}ms`).join('\n') +
        '\nconnected to redis at 127.0.0.1:6379 as <admin> (token ***)\n',
    );
    backend.historyView = {
      rows: [
        { number: 7, time: '2026-11-23T11:00:00.000Z', source: 'apply', environment: 'production', gitCommit: '3f9c2a1d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a', gitDirty: false, summary: 'Plan: 2 to restart.', current: true },
        { number: 6, time: '2026-11-22T16:42:10.000Z', source: 'rollback', rollbackOf: 4, environment: 'production', gitCommit: '9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b', gitDirty: true, summary: 'Plan: 1 to update in place.', current: false },
        { number: 5, time: '2026-11-22T15:03:55.000Z', source: 'apply', environment: 'production', gitCommit: '9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b', gitDirty: false, summary: 'Plan: 1 to start.', current: false },
      ],
      unreadable: [],
    };
    // The words `orchestra diff 6 7` prints for such a change.
    backend.diffs.set(
      6,
      [
        'Orchestra will perform the following actions:',
        '',
        '  -/+ api-0 (forces restart)',
        '      env.API_TOKEN: *** -> ***  (revision 7: orchestra.yaml:24:9)',
        '      env.LOG_LEVEL: "info" -> "debug"  (revision 7: orchestra.yaml:25:9)',
        '  -/+ api-1 (forces restart)',
        '      env.API_TOKEN: *** -> ***  (revision 7: orchestra.yaml:24:9)',
        '      env.LOG_LEVEL: "info" -> "debug"  (revision 7: orchestra.yaml:25:9)',
        '',
        'Plan: 2 to restart.',
        '',
      ].join('\n'),
    );
    const server = await startDashboardServer(backend);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
      await page.goto(server.url);
      await page.locator('#conn.conn-live').waitFor();
      await page.screenshot({ path: join(out, 'dashboard-1280x800.png') });
      process.stdout.write('wrote docs/images/dashboard-1280x800.png\n');
      await page.locator('.card[data-agent="worker"] button[data-action="stop"]').click();
      await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
      await page.screenshot({ path: join(out, 'dashboard-confirm-1280x800.png') });
      process.stdout.write('wrote docs/images/dashboard-confirm-1280x800.png\n');
      await page.locator('#confirm-ok').click();
      await page.locator('#op-log li.op-ok').waitFor();
      await page.locator('button[data-action="kill"]').click();
      await page.locator('#kill-input').fill('research-fl');
      await page.screenshot({ path: join(out, 'dashboard-kill-1280x800.png') });
      process.stdout.write('wrote docs/images/dashboard-kill-1280x800.png\n');
      await page.locator('#kill-cancel').click();
      const shot = async (file: string): Promise<void> => {
        await page.screenshot({ path: join(out, file) });
        process.stdout.write(`wrote docs/images/${file}\n`);
      };
      await page.getByRole('button', { name: 'Logs for api-0' }).click();
      await page.getByRole('log', { name: 'Logs of api-0' }).getByText('GET /orders/1059 200', { exact: false }).waitFor();
      await shot('dashboard-logs-1280x800.png');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Diff revision 6' }).click();
      await page.locator('#diff-dialog').waitFor({ state: 'visible' });
      await shot('dashboard-diff-1280x800.png');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Roll back to revision 6' }).click();
      await page.locator('#confirm-plan').waitFor({ state: 'visible' });
      await shot('dashboard-rollback-1280x800.png');
      await page.locator('#confirm-cancel').click();
      await page.getByRole('button', { name: 'api-0', exact: true }).click();
      await page.locator('#detail-dialog .detail').waitFor();
      await shot('dashboard-detail-1280x800.png');
      await page.keyboard.press('Escape');
      await page.close();
    } finally {
      await server.close();
      rmSync(logs, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
  }
}
