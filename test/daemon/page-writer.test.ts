import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { pageChanged, pageContent, startStatusPageWriter, type PageSource } from '../../src/daemon/page-writer.js';
import { statePaths } from '../../src/daemon/paths.js';
import type { OrchestraEvent } from '../../src/events/event.js';
import type { StatusSnapshot } from '../../src/report/status-snapshot.js';

const fixture = (): StatusSnapshot =>
  JSON.parse(readFileSync(new URL('../report/fixtures/healthy.json', import.meta.url), 'utf8')) as StatusSnapshot;
const noLogs = (): number => -1;

/** A page source over the fixture in a fresh state folder, with events and full rounds the test fires; `looks` counts snapshots taken. */
function fakeSource(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'page-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const paths = statePaths(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const rounds = new Set<(watched: boolean) => void>();
  const listeners = new Set<(e: OrchestraEvent) => void>();
  const ends = new Set<() => Promise<void>>();
  const f: {
    paths: typeof paths;
    looks: number;
    round: (watched?: boolean) => void;
    event: () => void;
    operationEnd: () => Promise<void>;
    rounds: typeof rounds;
    source: PageSource;
  } = {
    paths,
    looks: 0,
    round: (watched = true): void => rounds.forEach((l) => l(watched)),
    event: (): void => listeners.forEach((l) => l({ type: 'agent-started' } as OrchestraEvent)),
    operationEnd: async (): Promise<void> => void (await Promise.all([...ends].map((l) => l()))),
    rounds,
    source: {
      paths,
      hasPlan: () => true,
      snapshot: () => (f.looks++, fixture()),
      planState: () => ({ applied: undefined }) as unknown as ReturnType<PageSource['planState']>,
      onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
      onUsageRound: (l) => (rounds.add(l), () => rounds.delete(l)),
      onOperationEnd: (l) => (ends.add(l), () => ends.delete(l)),
    } as PageSource,
  };
  return f;
}

t.test('a change is what the page prints differently, not times, ages, sparkline points or noise', async (t) => {
  const before = pageContent(fixture(), noLogs);
  const changed = (edit: (s: StatusSnapshot) => void, logs: (name: string) => number = noLogs): boolean => {
    const s = fixture();
    edit(s);
    return pageChanged(before, pageContent(s, logs));
  };
  t.notOk(
    changed((s) => {
      s.generatedAt = '2026-11-23T12:04:00.000Z';
      for (const g of s.agents) {
        if (g.uptimeMs !== undefined) g.uptimeMs += 240_000;
        g.history.cpuPercent.push(1);
        if (g.cpuPercent !== undefined) g.cpuPercent += 0.2;
        if (g.rssBytes !== undefined) g.rssBytes *= 1.05;
      }
    }),
    'four minutes later, CPU 0.2 points and memory 5 % off: unchanged',
  );
  t.ok(changed((s) => (s.agents[0]!.cpuPercent = (s.agents[0]!.cpuPercent ?? 0) + 5)), 'CPU 5 points up');
  t.ok(changed((s) => (s.agents[0]!.rssBytes = (s.agents[0]!.rssBytes ?? 0) * 1.5)), 'memory half as much again');
  t.ok(changed((s) => delete s.agents[0]!.cpuPercent), 'a figure no longer measured');
  t.ok(changed((s) => (s.agents[0]!.state = 'stopped')), 'a state');
  t.ok(changed((s) => (s.agents[0]!.restarts += 1)), 'a restart');
  const first = fixture().agents[0]!.name;
  t.ok(changed(() => undefined, (name) => (name === first ? 10 : -1)), 'a log grew (the page shows its tail)');
});

t.test('the periodic look rewrites the page only when its content changed, events always', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'page-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const paths = statePaths(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  let snapshot = fixture();
  let looks = 0;
  const listeners = new Set<(e: OrchestraEvent) => void>();
  const source: PageSource = {
    paths,
    hasPlan: () => true,
    snapshot: () => (looks++, snapshot),
    planState: () => ({ applied: undefined }) as unknown as ReturnType<PageSource['planState']>,
    onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
    onUsageRound: (l) => (rounds.add(l), () => rounds.delete(l)),
    onOperationEnd: () => () => true,
  };
  // The monitor's full rounds, every 50 ms here: the periodic look rides on them.
  const rounds = new Set<(watched: boolean) => void>();
  const roundTimer = setInterval(() => rounds.forEach((l) => l(true)), 50);
  t.teardown(() => clearInterval(roundTimer));
  const stop = startStatusPageWriter(source, paths.statusPage, { quietMs: 10, maxDelayMs: 50, refreshMs: 40, maxAgeMs: 60_000 });
  t.teardown(stop);
  const until = async (f: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!f()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const inode = (): number | undefined => statSync(paths.statusPage, { throwIfNoEntry: false })?.ino;

  await until(() => inode() !== undefined, 'first periodic write');
  const first = inode();
  const after = looks;
  await until(() => looks >= after + 5, 'five more periodic looks');
  t.equal(inode(), first, 'nothing changed: the page was not rewritten');

  snapshot = fixture();
  snapshot.agents[0]!.cpuPercent = 42;
  await until(() => inode() !== first, 'rewritten after a figure changed');
  t.match(readFileSync(paths.statusPage, 'utf8'), '42%');

  const second = inode();
  writeFileSync(paths.logFile(snapshot.agents[1]!.name), 'a new line\n');
  await until(() => inode() !== second, 'rewritten after a log grew');

  const third = inode();
  for (const l of listeners) l({ type: 'agent-started' } as OrchestraEvent);
  await until(() => inode() !== third, 'rewritten after an event, with nothing else changed');
});

t.test('the periodic look has no timer of its own: it comes after a full round, once the refresh period has passed', async (t) => {
  const f = fakeSource(t);
  const stop = startStatusPageWriter(f.source, f.paths.statusPage, { refreshMs: 200, maxAgeMs: 60_000 });
  t.teardown(stop);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(f.looks, 0, 'no round, no look, however long');
  f.round();
  t.equal(f.looks, 1, 'the first round looks');
  f.round();
  t.equal(f.looks, 1, 'a round within the refresh period does not');
  await new Promise((r) => setTimeout(r, 250));
  f.round();
  t.equal(f.looks, 2, 'a round after it does');
  stop();
  t.equal(f.rounds.size, 0, 'stopping the writer unsubscribes from the rounds');
});

t.test('a round while a write for events is due does not look: the page is rendered once', async (t) => {
  const f = fakeSource(t);
  const stop = startStatusPageWriter(f.source, f.paths.statusPage, { quietMs: 300, maxDelayMs: 1000, refreshMs: 10, maxAgeMs: 60_000 });
  t.teardown(stop);
  f.event();
  f.round();
  t.equal(f.looks, 0, 'the round left the page to the write the events asked for');
  const deadline = Date.now() + 60_000;
  while (f.looks === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(f.looks, 1, 'which came');
  // Its render and write run on after the look: the folder must outlive them (teardown removes it).
  while (statSync(f.paths.statusPage, { throwIfNoEntry: false }) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
});

t.test('while nobody watches, a round looks at the page only once it is nearly its maximum age', async (t) => {
  const f = fakeSource(t);
  const stop = startStatusPageWriter(f.source, f.paths.statusPage, { refreshMs: 50, maxAgeMs: 800 });
  t.teardown(stop);
  const written = (): boolean => statSync(f.paths.statusPage, { throwIfNoEntry: false }) !== undefined;
  f.round(false);
  t.equal(f.looks, 1, 'no page yet: the first unwatched round looks');
  const deadline = Date.now() + 60_000;
  while (!written() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const writtenAt = Date.now();
  await new Promise((r) => setTimeout(r, 100));
  f.round(false);
  t.equal(f.looks, 1, 'past the refresh period, unwatched: no look');
  f.round(true);
  t.equal(f.looks, 2, 'watched: a look');
  while (Date.now() - writtenAt < 800 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  f.round(false);
  t.equal(f.looks, 3, 'unwatched, at its maximum age: a look (which rewrites it)');
});

t.test("an operation's events are on the page when it ends, not a quiet period later; without events it writes nothing", async (t) => {
  const f = fakeSource(t);
  const stop = startStatusPageWriter(f.source, f.paths.statusPage, { quietMs: 60_000, maxDelayMs: 60_000, refreshMs: 60_000, maxAgeMs: 600_000 });
  t.teardown(stop);
  const inode = (): number | undefined => statSync(f.paths.statusPage, { throwIfNoEntry: false })?.ino;
  await f.operationEnd();
  t.equal(inode(), undefined, 'an operation without events: no page');
  f.event();
  await f.operationEnd();
  t.not(inode(), undefined, 'written by the time the operation end resolves');
  t.equal(f.looks, 1);
  const first = inode();
  await f.operationEnd();
  t.equal(f.looks, 1, 'no event since: the page stands');
  t.equal(inode(), first);

  // Events during a write get a write of their own after it, which the operation end waits for.
  f.event();
  const during = f.operationEnd();
  f.event();
  const after = f.operationEnd();
  await Promise.all([during, after]);
  t.equal(f.looks, 3, 'one write for the first event, one for the event that came while it ran');
});
