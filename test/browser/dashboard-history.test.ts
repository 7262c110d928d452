import { readFileSync } from 'node:fs';
import t from 'tap';
import { alive, fixtureAgents, Project } from '../cli/project.js';
import { browserMissing } from './fixtures/browser.js';
import { openDaemonDashboard } from './fixtures/daemon-dashboard.js';

const manifest = (greeting: string, token: string) =>
  [
    'version: 1',
    'name: hist',
    'agents:',
    '  api:',
    `    command: ["node", "${fixtureAgents}print-on-signal.js", "env:GREETING"]`,
    `    env: { GREETING: "${greeting}", API_TOKEN: "${token}" }`,
    '    stop: { timeout: 2s }',
    '',
  ].join('\n');

const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('History: diff a revision in the words of orchestra diff, roll back through the dialog', async (t) => {
    const WAIT = { timeout: 60_000 };
    const p = new Project(t, manifest('one', 'secret-token-one'));
    t.equal(p.cli('apply', '--yes').code, 0);
    p.write(manifest('two', 'secret-token-two'));
    const { page, problems } = await openDaemonDashboard(t, p);
    const before = p.pids().api!;
    t.ok(environ(before).includes('GREETING=two'), 'revision 2 runs');

    await page.getByRole('heading', { name: 'History' }).waitFor(WAIT);
    t.same(await page.locator('#history .rev').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-revision'))), ['2', '1'], 'newest first');
    t.equal(await page.getByRole('button', { name: 'Diff revision 2' }).count(), 0, 'the applied revision has no diff button');

    await page.getByRole('button', { name: 'Diff revision 1' }).click();
    const diff = page.locator('#diff-text');
    await diff.waitFor(WAIT);
    const text = await diff.textContent();
    t.equal(text, p.cli('diff', '1', '2').stdout, 'the same words as `orchestra diff 1 2`');
    t.match(text, 'env.GREETING', 'the changed field is named');
    t.notMatch(await page.content(), /secret-token-(one|two)/, 'neither secret value is on the page');
    await page.keyboard.press('Escape');
    await page.locator('#diff-dialog').waitFor({ state: 'hidden', ...WAIT });

    await page.getByRole('button', { name: 'Roll back to revision 1' }).click();
    await page.locator('#confirm-dialog').waitFor({ state: 'visible', ...WAIT });
    t.equal(await page.locator('#confirm-title').textContent(), 'Roll back to revision 1?');
    t.match(await page.locator('#confirm-plan').textContent(), /api.*restart/, 'the dialog shows the rollback\'s plan');
    t.equal(p.pids().api, before, 'nothing happened before confirming');
    await page.locator('#confirm-ok').click();
    await page.locator('#op-log li.op-ok').filter({ hasText: 'rolled back to revision 1 as revision 3' }).waitFor(WAIT);
    await page.locator('#history .rev-current[data-revision="3"]').waitFor(WAIT);

    const history = p.cli('history');
    t.match(history.stdout.split('\n')[0], /^\s*3\s.*\(rollback to 1\)$/, '`orchestra history` lists the rollback first');
    const after = p.pids().api!;
    t.not(after, before, 'api was restarted');
    t.notOk(alive(before), 'the old process is gone from /proc');
    t.ok(environ(after).includes('GREETING=one'), 'the new process runs with revision 1\'s env');
    t.same(problems, []);

    const staticPage = p.cli('page').stdout;
    t.match(staticPage, '<h2 id="history-h">History</h2>', 'the static page has the History');
    t.match(staticPage, 'rollback to #1');
    t.match(staticPage, 'GREETING&#x3D;one', 'and the last lines of each log (escaped as HTML)');
    t.notMatch(staticPage, 'Roll back to revision', 'but no controls');
    t.notMatch(staticPage, /secret-token-(one|two)/);
  });
}
