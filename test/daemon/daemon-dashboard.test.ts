import t from 'tap';
import { daemonBackend } from '../../src/daemon/daemon-dashboard.js';
import type { Daemon } from '../../src/daemon/daemon.js';

t.test("the dashboard hears of fresh usage figures as well as events, and its streams' watches reach the daemon", async (t) => {
  const events = new Set<() => void>();
  const rounds = new Set<() => void>();
  let watches = 0;
  const daemon = {
    onEvent: (l: () => void) => (events.add(l), () => events.delete(l)),
    onUsageRound: (l: () => void) => (rounds.add(l), () => rounds.delete(l)),
    watchUsage: () => (watches++, () => void watches--),
  } as unknown as Daemon;
  const backend = daemonBackend(daemon);
  let changes = 0;
  const off = backend.subscribe(() => changes++);
  events.forEach((l) => l());
  rounds.forEach((l) => l());
  t.equal(changes, 2, 'an event and a full round each count as a change');
  off();
  t.equal(events.size + rounds.size, 0, 'unsubscribing lets go of both');
  const release = backend.watch!();
  t.equal(watches, 1, 'a watch is the daemon’s');
  release();
  t.equal(watches, 0);
});
