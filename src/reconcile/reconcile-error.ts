/**
 * The ways a reconciliation request is refused, as one typed error. Callers
 * decide what a refusal means to them (the daemon's routes map `code` to an
 * HTTP status, the library rethrows).
 */

export type ReconcileErrorCode = 'stale-plan' | 'nothing-applied' | 'unknown-agent';

/** A request the reconciler refused before changing anything. */
export class ReconcileError extends Error {
  constructor(
    readonly code: ReconcileErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ReconcileError';
  }
}
