/**
 * Test helpers for the supervision tests: AgentSpec / Plan builders that fill
 * every default of src/plan/spec.ts (so tests do not depend on the loader),
 * fixture paths, an engine harness that records events and cleans up every
 * process it started even when a test fails, and event waits.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { OrchestraEvent } from '../../src/events/event.js';
import type { AgentSpec, Plan } from '../../src/plan/spec.js';
import { Engine, type EngineOptions } from '../../src/supervise/engine.js';
import { readAllProcs, treeOf } from '../../src/supervise/procfs.js';
import { treeBoundary } from '../../src/supervise/tree-boundary.js';
import { statePaths } from '../../src/daemon/paths.js';
import { planAround, specWithDefaults } from '../helpers/agent-spec.js';
import { assertNoCgroupLeft } from '../helpers/cgroups-left.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/agents/', import.meta.url));

/** argv running a fixture agent with node. */
export function fixture(name: string, ...args: (string | number)[]): string[] {
  return [process.execPath, join(FIXTURES, `${name}.js`), ...args.map(String)];
}

/** argv running a tiny `sh` script: for agents that only exit or sleep, far cheaper to start than node on a loaded box. */
export function sh(script: string): string[] {
  return ['sh', '-c', script];
}

type SpecOverrides = Partial<AgentSpec> & { name: string };

/** An AgentSpec with every default of the schema, running the `forever` fixture unless `o` says otherwise. */
export function spec(o: SpecOverrides): AgentSpec {
  return specWithDefaults({ command: fixture('forever'), cwd: FIXTURES, ...o });
}

/** A Plan holding these instances. */
export function plan(instances: AgentSpec[], monitorMs = 2000): Plan {
  return planAround(instances, { name: 'test', files: [], baseDir: FIXTURES, monitor: { intervalMs: monitorMs } });
}

/** A dependency on another agent. */
export function dep(agent: string, condition: 'started' | 'ready' | 'completed' = 'ready', restart = false) {
  return { agent, condition, restart };
}

export interface Harness {
  engine: Engine;
  events: OrchestraEvent[];
  stateDir: string;
  /** Resolves with the first event (already seen or future) matching; rejects after `ms`. */
  waitFor(pred: (e: OrchestraEvent) => boolean, ms?: number, what?: string): Promise<OrchestraEvent>;
  /** Like waitFor but only counts events after the call. */
  next(pred: (e: OrchestraEvent) => boolean, ms?: number, what?: string): Promise<OrchestraEvent>;
  of(type: OrchestraEvent['type'], agent?: string): OrchestraEvent[];
}

/**
 * Starts an engine on a temp state dir (or on `stateDir`, another harness's);
 * on teardown kills every tree it knows, and the harness that made the dir
 * removes it and fails the test if the project's cgroup is left
 * (assertNoCgroupLeft: teardowns run last-registered first, so every engine
 * on the dir is gone by then). `boundary: 'tree'` forces the fallback boundary.
 */
export function harness(t: Test, p: Plan, options: Omit<Partial<EngineOptions>, 'boundary' | 'paths'> & { boundary?: 'tree' | 'default'; stateDir?: string } = {}): Harness {
  const made = options.stateDir === undefined ? mkdtempSync(join(tmpdir(), 'orchestra-sup-')) : undefined;
  const { boundary, stateDir = made!, ...rest } = options;
  const paths = statePaths(stateDir);
  const engine = new Engine(p, { paths, ...rest, ...(boundary === 'tree' ? { boundary: treeBoundary(paths, 'forced by the test') } : {}) });
  const events: OrchestraEvent[] = [];
  const pending = new Set<{ pred: (e: OrchestraEvent) => boolean; resolve: (e: OrchestraEvent) => void }>();
  engine.onEvent((e) => {
    events.push(e);
    for (const w of [...pending]) if (w.pred(e)) (pending.delete(w), w.resolve(e));
  });
  const leaders = new Set<number>();
  engine.onEvent((e) => {
    if (e.type === 'agent-started') leaders.add(e.pid);
  });
  t.teardown(async () => {
    await engine.kill();
    await engine.dispose();
    // Belt and braces: anything still alive in a tree we started dies now.
    const procs = readAllProcs();
    for (const l of leaders) {
      for (const p of treeOf(l, procs)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (made !== undefined) {
      rmSync(made, { recursive: true, force: true });
      await assertNoCgroupLeft(made);
    }
  });
  const wait = (pred: (e: OrchestraEvent) => boolean, ms: number, what: string, includePast: boolean) => {
    if (includePast) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise<OrchestraEvent>((resolve, reject) => {
      const w = { pred, resolve: (e: OrchestraEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        pending.delete(w);
        reject(new Error(`timed out after ${ms}ms waiting for ${what}; events: ${events.map((e) => `${e.type}:${'agent' in e ? e.agent : ''}`).join(' ')}`));
      }, ms);
      pending.add(w);
    });
  };
  return {
    engine,
    events,
    stateDir,
    waitFor: (pred, ms = 20_000, what = 'event') => wait(pred, ms, what, true),
    next: (pred, ms = 20_000, what = 'event') => wait(pred, ms, what, false),
    of: (type, agent) => events.filter((e) => e.type === type && (agent === undefined || ('agent' in e && e.agent === agent))),
  };
}

/** A predicate for an event type (and instance). */
export function is(type: OrchestraEvent['type'], agent?: string): (e: OrchestraEvent) => boolean {
  return (e) => e.type === type && (agent === undefined || ('agent' in e && e.agent === agent));
}

/** A TCP port that was free a moment ago (the OS picked it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Index of the first event matching in the log (−1 when none). */
export function indexOf(events: OrchestraEvent[], type: OrchestraEvent['type'], agent: string): number {
  return events.findIndex((e) => e.type === type && 'agent' in e && e.agent === agent);
}

/** Removes a temp dir made by a test. */
export function tempDir(t: Test): string {
  const d = mkdtempSync(join(tmpdir(), 'orchestra-t-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
