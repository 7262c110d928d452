import t from 'tap';
import { alive, foreverManifest, Project } from '../cli/project.js';
import { browserMissing } from './fixtures/browser.js';
import { openDaemonDashboard } from './fixtures/daemon-dashboard.js';

const missing = browserMissing();
if (missing) {
  t.plan(0, missing);
} else {
  t.test('after a daemon restart, status, the page and the dashboard show the earlier events, marked', async (t) => {
    const WAIT = { timeout: 60_000 };
    const p = new Project(t, foreverManifest({ db: [], app: ['depends_on: { db: started }'] }));
    t.equal(p.cli('apply', '--yes').code, 0);
    const firstPid = p.pids().app!;
    const daemon = p.daemonPid()!;
    process.kill(daemon, 'SIGKILL');
    while (alive(daemon)) await new Promise((r) => setTimeout(r, 20));

    // `status` starts a new daemon, which reads events.jsonl back.
    const json = p.cli('status', '--json');
    t.equal(json.code, 0, json.stderr);
    t.not(p.daemonPid(), daemon, 'a new daemon answered');
    const snapshot = JSON.parse(json.stdout) as { events: { message: string; agent?: string; earlier?: true }[] };
    const started = snapshot.events.find((e) => e.agent === 'app' && e.message === `started (pid ${firstPid})`);
    t.equal(started?.earlier, true, 'the first daemon\'s start event is there, marked earlier');
    t.ok(snapshot.events.some((e) => e.earlier === undefined), 'events of the new daemon (adoption) are not marked');

    const table = p.cli('status');
    t.match(table.stdout, /Recent events/);
    t.match(table.stdout, `[before daemon restart]  app: started (pid ${firstPid})`, 'status marks them');
    const page = p.cli('page');
    t.match(page.stdout, 'before daemon restart', 'the static page marks them');

    const { page: browserPage, problems } = await openDaemonDashboard(t, p);
    const earlier = browserPage.locator('#events .event.earlier').filter({ hasText: `started (pid ${firstPid})` });
    await earlier.first().waitFor(WAIT);
    t.match(await earlier.first().textContent(), 'before daemon restart');
    t.same(problems, []);
  });
}
