/**
 * The package's entry point for code: `import { Fleet, loadManifest } from
 * 'orchestra'`. Exports the library (src/library) and the types its results
 * carry; the CLI is dist/cli/main.js.
 */

export { Fleet, FleetError, type FailedAgent, type FleetOptions, type InstanceStatus } from './library/fleet.js';
export { loadManifest, type LoadManifestOptions, type LoadManifestResult, type ManifestDiagnostic } from './library/load.js';
export { ReconcileError, type ReconcileErrorCode } from './reconcile/reconcile-error.js';
export type { OrchestraEvent } from './events/event.js';
export type { AgentSpec, Plan } from './plan/spec.js';
