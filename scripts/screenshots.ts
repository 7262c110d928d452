/**
 * Regenerates the screenshots in docs/images/ from the status page fixtures:
 * the static page at desktop and phone size, and the live dashboard served by
 * a real dashboard server over the in-memory test fleet.
 *
 *   node --import=@tapjs/typescript/import scripts/screenshots.ts
 *
 * Needs /usr/bin/chromium and playwright-core (a dev dependency).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
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
    const server = await startDashboardServer(new TestBackend(loadFixture('healthy')));
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
      await page.close();
    } finally {
      await server.close();
    }
  } finally {
    await browser.close();
  }
}
