/**
 * Collects the diagnostics of one export: every field a target cannot express
 * becomes a located warning naming the agent and the field. Pure; printing is
 * the CLI's job.
 */

import type { Diagnostic, Location } from '../util/diagnostic.js';
import type { Origins } from '../plan/spec.js';

/** Accumulates export diagnostics, locating each at the manifest key it concerns. */
export class ExportWarnings {
  readonly list: Diagnostic[] = [];
  readonly #origins: Origins;
  readonly #target: string;
  readonly #seen = new Set<string>();

  constructor(target: string, origins: Origins) {
    this.#target = target;
    this.#origins = origins;
  }

  /** A field of `agent` that the target cannot express; `why` says what is lost. */
  unmapped(agent: string, field: string, why: string, hint?: string): void {
    this.#add('warning', 'export-unmapped', agent, field, `agent \`${agent}\`: \`${field}\` is not mapped to ${this.#target}: ${why}`, hint);
  }

  /** A field mapped only approximately; `how` says what the target does instead. */
  approximated(agent: string, field: string, how: string, hint?: string): void {
    this.#add('warning', 'export-approximated', agent, field, `agent \`${agent}\`: \`${field}\` is approximated on ${this.#target}: ${how}`, hint);
  }

  /** Any other warning about an agent's field, with its own code. */
  warn(code: string, agent: string, field: string, message: string, hint?: string): void {
    this.#add('warning', code, agent, field, `agent \`${agent}\`: ${message}`, hint);
  }

  /** A problem that makes the output unusable. */
  error(code: string, agent: string, field: string, message: string, hint?: string): void {
    this.#add('error', code, agent, field, `agent \`${agent}\`: ${message}`, hint);
  }

  #add(severity: Diagnostic['severity'], code: string, agent: string, field: string, message: string, hint?: string): void {
    // Replicas share their manifest agent, so the same loss is reported once.
    const key = `${code}\u0000${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const d: Diagnostic = { severity, code, message };
    const location = locate(this.#origins, agent, field);
    if (location) d.location = location;
    if (hint !== undefined) d.hint = hint;
    this.list.push(d);
  }
}

/**
 * Where `agents.<agent>.<field>` was written: the key itself or its first
 * recorded descendant (origins are kept per leaf), else the same for its
 * closest ancestor, else any key of the agent.
 */
export function locate(origins: Origins, agent: string, field: string): Location | undefined {
  const base = `agents.${agent}`;
  const keys = Object.keys(origins);
  const parts = field === '' ? [] : field.split('.');
  for (let n = parts.length; n >= 0; n--) {
    const prefix = [base, ...parts.slice(0, n)].join('.');
    const exact = origins[prefix];
    if (exact) return exact;
    const below = keys.find((k) => k.startsWith(`${prefix}.`));
    if (below) return origins[below];
  }
  return undefined;
}
