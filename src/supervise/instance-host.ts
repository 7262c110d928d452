/**
 * What an Instance needs from whoever hosts it (the engine): the clock,
 * randomness, paths, base environment and project boundary, where its events
 * go, and the callbacks through which the engine reacts to its changes. An
 * instance never looks at other instances; this is its only way out.
 */

import type { EventInput } from '../events/event.js';
import type { ProjectBoundary } from './boundary.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import type { ProcInfo } from './procfs.js';
import type { SupervisionPaths } from './supervision-paths.js';

export interface InstanceHost {
  clock: Clock;
  random: () => number;
  /** Where its log file is, and the state directory its marker names (handed down from src/daemon/paths.ts). */
  paths: SupervisionPaths;
  baseEnv: Record<string, string | undefined>;
  /** The project's boundary; each instance has its own inside it. */
  boundary: ProjectBoundary;
  emit: (event: EventInput) => void;
  /** Called after every state change. */
  changed(instance: Instance): void;
  /**
   * Called when a restart of the instance is decided, before it runs again;
   * resolves once its `depends_on.restart` dependents are out of the way.
   */
  restarting(instance: Instance, reason: string): Promise<void>;
  /** Asks the engine to (re)launch the instance once its dependencies hold. */
  relaunch(instance: Instance): void;
  /** The current run's tree members the monitor last saw, so a stop finds descendants whose parent already died. */
  treeLastSeen(instance: Instance): readonly ProcInfo[];
}
