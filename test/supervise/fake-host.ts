/**
 * An InstanceHost for unit tests of instances and their ordering: a clock
 * moved by hand, no boundary, events and state changes recorded. Nothing it
 * offers can start a process, so only transitions that need none may be used.
 */

import type { EventInput } from '../../src/events/event.js';
import { statePaths } from '../../src/daemon/paths.js';
import type { ProjectBoundary } from '../../src/supervise/boundary.js';
import type { Clock } from '../../src/supervise/clock.js';
import type { Instance, InstanceHost } from '../../src/supervise/instance.js';

export interface FakeHost {
  host: InstanceHost;
  events: EventInput[];
  /** The state name after each change, in order. */
  changes: string[];
  clock: { at: number };
}

/** A fake host; `changed` is also called with every instance that changed (the engine's wake-ups). */
export function fakeHost(changed: (i: Instance) => void = () => undefined): FakeHost {
  const clock = { at: 1000 };
  const fakeClock: Clock = { now: () => clock.at, setTimeout: () => undefined, clearTimeout: () => undefined };
  const events: EventInput[] = [];
  const changes: string[] = [];
  return {
    clock,
    events,
    changes,
    host: {
      clock: fakeClock,
      random: () => 0.5,
      paths: statePaths('/nonexistent'),
      baseEnv: {},
      boundary: {} as ProjectBoundary,
      emit: (e) => events.push(e),
      changed: (i) => (changes.push(i.state.name), changed(i)),
      restarting: async () => undefined,
      relaunch: () => undefined,
      treeLastSeen: () => [],
    },
  };
}
