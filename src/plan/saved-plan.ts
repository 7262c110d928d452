/**
 * Saved plans (`plan --out FILE`, `apply FILE`): a Plan and the ChangeSet
 * computed for it, stamped with the state's lineage and serial, so `apply`
 * executes exactly what was shown, and refuses once anything else was applied.
 * Pure: turns values into text and back; the CLI reads and writes the file
 * (mode 0600: the resolved env inside holds secret values).
 */

import { type Diagnostic, error } from '../util/diagnostic.js';
import { type Result, err, ok } from '../util/result.js';
import type { Plan } from './spec.js';
import { ACTION_KINDS, type ChangeSet, summarize } from './change-set.js';

export const SAVED_PLAN_KIND = 'orchestra-plan';
export const SAVED_PLAN_VERSION = 1;

/** The content of a saved plan file. */
export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  version: typeof SAVED_PLAN_VERSION;
  /** ISO time the plan was made. */
  createdAt: string;
  /** The state lineage and serial the plan was made against. */
  lineage: string;
  serial: number;
  plan: Plan;
  /** Env file content hashes at plan time (absolute path → sha256), recorded with the revision on apply. */
  envFileHashes: Record<string, string>;
  changeSet: ChangeSet;
}

/** The lineage and serial of the state now, as the stale check needs them. */
export interface StateStamp {
  lineage: string;
  serial: number;
}

/** Serializes a plan for `plan --out`, stable key order, ending with a newline. */
export function serializeSavedPlan(input: {
  plan: Plan;
  changeSet: ChangeSet;
  state: StateStamp;
  createdAt: Date;
  envFileHashes: ReadonlyMap<string, string>;
}): string {
  const saved: SavedPlan = {
    kind: SAVED_PLAN_KIND,
    version: SAVED_PLAN_VERSION,
    createdAt: input.createdAt.toISOString(),
    lineage: input.state.lineage,
    serial: input.state.serial,
    plan: input.plan,
    envFileHashes: Object.fromEntries([...input.envFileHashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    changeSet: input.changeSet,
  };
  return `${JSON.stringify(saved, null, 2)}\n`;
}

/** Parses and validates a saved plan; `file` names it in the diagnostic. */
export function parseSavedPlan(text: string, file: string): Result<SavedPlan, Diagnostic> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return err(error('saved-plan-corrupt', `${file} is not a saved plan: it is not valid JSON (${why})`, { file }, {
      hint: 'make a new one with `orchestra plan --out FILE`',
    }));
  }
  if (!isRecord(data) || data['kind'] !== SAVED_PLAN_KIND) {
    return err(error('saved-plan-foreign', `${file} is not a saved orchestra plan`, { file }, {
      hint: 'pass a file written by `orchestra plan --out FILE`, or a manifest with -f',
    }));
  }
  if (data['version'] !== SAVED_PLAN_VERSION) {
    return err(error('saved-plan-version', `${file} is a saved plan of format version ${String(data['version'])}; this orchestra reads version ${SAVED_PLAN_VERSION}`, { file }, {
      hint: 'make a new one with `orchestra plan --out FILE`',
    }));
  }
  const problem = shapeProblem(data);
  if (problem !== undefined) {
    return err(error('saved-plan-corrupt', `${file} is a damaged saved plan: ${problem}`, { file }, {
      hint: 'make a new one with `orchestra plan --out FILE`',
    }));
  }
  return ok(data as unknown as SavedPlan);
}

/** Refuses a saved plan made against another state, or before the latest apply. */
export function checkStale(saved: StateStamp, current: StateStamp): Result<void, Diagnostic> {
  if (saved.lineage !== current.lineage) {
    return err(error('saved-plan-stale', `saved plan is stale: it was made for another state (lineage ${saved.lineage}, this state is ${current.lineage})`, undefined, {
      hint: 'run `orchestra plan` again',
    }));
  }
  if (saved.serial !== current.serial) {
    const message =
      current.serial > saved.serial
        ? `saved plan is stale: state serial ${current.serial} was applied after it (plan was made at serial ${saved.serial})`
        : `saved plan is stale: it was made at serial ${saved.serial} but the state is at serial ${current.serial}`;
    return err(error('saved-plan-stale', message, undefined, { hint: 'run `orchestra plan` again' }));
  }
  return ok(undefined);
}

/**
 * Whether a saved plan may still be applied to `current`: checkStale, except
 * that a plan saved before anything was applied (serial 0) stays valid until
 * the first apply. Callers check this before diffing, so a plan whose change
 * someone else already made is refused rather than answered "No changes".
 */
export function checkSavedPlan(saved: StateStamp, current: StateStamp): Result<void, Diagnostic> {
  if (saved.serial === 0 && current.serial === 0) return ok(undefined);
  return checkStale(saved, current);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The first thing wrong with the shape, in words, or undefined. Checks what apply relies on. */
function shapeProblem(d: Record<string, unknown>): string | undefined {
  if (typeof d['createdAt'] !== 'string' || Number.isNaN(Date.parse(d['createdAt']))) return '`createdAt` is not a time';
  if (typeof d['lineage'] !== 'string' || d['lineage'] === '') return '`lineage` is missing';
  if (!Number.isInteger(d['serial']) || (d['serial'] as number) < 0) return '`serial` is not a non-negative integer';
  const hashes = d['envFileHashes'];
  if (!isRecord(hashes) || !Object.values(hashes).every((h) => typeof h === 'string')) return '`envFileHashes` is not a map of hashes';
  const plan = d['plan'];
  if (!isRecord(plan) || plan['version'] !== 1) return '`plan` is not a version 1 plan';
  if (typeof plan['name'] !== 'string' || typeof plan['baseDir'] !== 'string') return '`plan` lacks its name or baseDir';
  if (!isStringArray(plan['files']) || !Array.isArray(plan['agents']) || !Array.isArray(plan['instances'])) {
    return '`plan` lacks its files, agents or instances';
  }
  if (!isRecord(plan['monitor']) || !isRecord(plan['origins'])) return '`plan` lacks monitor or origins';
  const names = new Set<string>();
  for (const [i, s] of (plan['instances'] as unknown[]).entries()) {
    if (!isRecord(s) || typeof s['name'] !== 'string' || typeof s['agent'] !== 'string') return `plan instance ${i} has no name`;
    if (!isStringArray(s['command']) || (s['command'] as string[]).length === 0) return `plan instance ${s['name']} has no command`;
    if (!isRecord(s['env']) || !isRecord(s['restart']) || !isRecord(s['stop']) || !Array.isArray(s['dependsOn'])) {
      return `plan instance ${s['name']} is incomplete`;
    }
    names.add(s['name']);
  }
  const cs = d['changeSet'];
  if (!isRecord(cs) || !Array.isArray(cs['actions']) || !Array.isArray(cs['project']) || !isRecord(cs['counts'])) {
    return '`changeSet` is missing or incomplete';
  }
  for (const a of cs['actions'] as unknown[]) {
    if (!isRecord(a) || !(ACTION_KINDS as readonly unknown[]).includes(a['kind']) || typeof a['instance'] !== 'string') {
      return 'an action has no kind or instance';
    }
    if (a['kind'] !== 'stop' && !names.has(a['instance'])) return `action on ${a['instance']} names no instance of the plan`;
  }
  const expected = summarize(cs['actions'] as ChangeSet['actions'], cs['project'] as ChangeSet['project']);
  const counts = cs['counts'];
  if (ACTION_KINDS.some((k) => counts[k] !== expected.counts[k]) || cs['changes'] !== expected.changes) {
    return 'the change counts do not match the actions';
  }
  return undefined;
}
