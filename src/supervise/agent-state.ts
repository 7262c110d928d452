/**
 * The lifecycle of one agent instance as a discriminated union, and the only
 * function allowed to move between states. Pure: no processes, no clock reads
 * (every input carries its time). It does not decide *whether* to restart;
 * restart-policy.ts does, and the engine feeds the outcome in as an input.
 *
 *                 wait                spawn                 ready
 *   pending ───────────► waiting ───────────► starting ───────────► running
 *      │  ▲                │ │                 │  │  │                │  │
 *      │  └──── (restart)  │ │block            │  │  └── stop ──┐     │  │ exit: clean,
 *      │                   │ ▼                 │  │             ▼     │  │ no restart
 *      └──── spawn ────────┼► blocked          │  │          stopping ◄┘  │
 *                          │                   │  │             │ │       ▼
 *            backoff ◄─────┼───────────────────┘  │  stopped ◄──┘ │     exited
 *              │  ▲   exit: restart due           │    (manual)   │ (restart)
 *              │  └───────────────────────────────┼───────────────┘
 *              │ spawn (timer fires)              │ exit: give up / spawn error
 *              └─────────► starting               ▼
 *                                               failed
 *
 * `forked` (type: forking) keeps an instance `starting` and swaps the
 * launcher's pid for the pid its pid file names.
 *
 * From any resting state (stopped, exited, failed, blocked) `wait` or `spawn`
 * begins a new life; `cancel` turns pending/waiting/backoff/blocked/failed/
 * exited into stopped (a manual stop of something that has no process).
 *
 *                complete (recorded earlier)
 *   pending ─────────────────────────────────► exited (completed: true)
 *
 * `complete` is legal from `pending` only: a restarted daemon re-creates the
 * engine, and a oneshot whose completion it had recorded must not run again
 * nor hold its dependents back. There is no process, so the exit code is
 * unknown (null).
 */

import type { AgentStateName } from '../plan/state-name.js';

/** How a process ended. `code` and `signal` are both null when unknown (an adopted process). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** When it ended, ms since epoch. */
  at: number;
}

interface Base<N extends AgentStateName> {
  readonly name: N;
  /** When this state was entered. */
  readonly since: number;
}

/** A state is a value: a move makes a new one, so what an instance hands out cannot be changed behind its back. */
export type AgentState =
  | (Base<'pending'> & {})
  | (Base<'waiting'> & { readonly on: readonly string[] })
  | (Base<'starting'> & { readonly pid: number; readonly attempt: number; readonly startedAt: number })
  | (Base<'running'> & { readonly pid: number; readonly attempt: number; readonly startedAt: number })
  | (Base<'stopping'> & { readonly pid: number; readonly startedAt: number; readonly reason: string; readonly then: 'stopped' | 'restart' })
  | (Base<'stopped'> & { readonly reason: string; readonly lastExit?: Readonly<ExitInfo> })
  | (Base<'exited'> & { readonly exit: Readonly<ExitInfo>; readonly completed: boolean })
  | (Base<'backoff'> & { readonly attempt: number; readonly until: number; readonly reason: string; readonly lastExit?: Readonly<ExitInfo> })
  | (Base<'failed'> & { readonly reason: string; readonly lastExit?: Readonly<ExitInfo> })
  | (Base<'blocked'> & { readonly reason: string; readonly dependency: string });

export type StateInput =
  | { type: 'wait'; at: number; on: readonly string[] }
  | { type: 'spawn'; at: number; pid: number; attempt: number; startedAt?: number }
  | { type: 'forked'; at: number; pid: number }
  | { type: 'complete'; at: number }
  | { type: 'ready'; at: number }
  | { type: 'stop'; at: number; reason: string; then: 'stopped' | 'restart' }
  | { type: 'exit'; exit: ExitInfo; outcome: ExitOutcome }
  | { type: 'fail'; at: number; reason: string }
  | { type: 'block'; at: number; reason: string; dependency: string }
  | { type: 'cancel'; at: number; reason: string };

/** What the engine decided after an exit (from the restart policy, or a stop in progress). */
export type ExitOutcome =
  | { kind: 'exited'; completed: boolean }
  | { kind: 'backoff'; attempt: number; until: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'stopped'; reason: string };

/** The initial state of every instance. */
export function initialState(at: number): AgentState {
  return { name: 'pending', since: at };
}

/** The pid of the state's process, when it has one. */
export function pidOf(state: AgentState): number | undefined {
  switch (state.name) {
    case 'starting':
    case 'running':
    case 'stopping':
      return state.pid;
    case 'pending':
    case 'waiting':
    case 'stopped':
    case 'exited':
    case 'backoff':
    case 'failed':
    case 'blocked':
      return undefined;
  }
}

function unexpected(state: AgentState, input: StateInput): never {
  throw new Error(`Internal error: unexpected state ${state.name} for input ${input.type}`);
}

/** Applies one input; throws `Internal error: unexpected state` on a move the diagram does not allow. */
export function transition(state: AgentState, input: StateInput): AgentState {
  switch (input.type) {
    case 'wait':
      switch (state.name) {
        case 'pending':
        case 'waiting':
        case 'stopped':
        case 'exited':
        case 'failed':
        case 'blocked':
        case 'backoff':
          return { name: 'waiting', since: input.at, on: input.on };
        case 'starting':
        case 'running':
        case 'stopping':
          return unexpected(state, input);
      }
    case 'spawn':
      switch (state.name) {
        case 'pending':
        case 'waiting':
        case 'backoff':
        case 'stopped':
        case 'exited':
        case 'failed':
        case 'blocked':
          // An adopted process started before we saw it; its own start time makes uptime right.
          return { name: 'starting', since: input.at, pid: input.pid, attempt: input.attempt, startedAt: input.startedAt ?? input.at };
        case 'starting':
        case 'running':
        case 'stopping':
          return unexpected(state, input);
      }
    case 'ready':
      switch (state.name) {
        case 'starting':
          return { name: 'running', since: input.at, pid: state.pid, attempt: state.attempt, startedAt: state.startedAt };
        case 'pending':
        case 'waiting':
        case 'running':
        case 'stopping':
        case 'stopped':
        case 'exited':
        case 'backoff':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'stop':
      switch (state.name) {
        case 'starting':
        case 'running':
          return { name: 'stopping', since: input.at, pid: state.pid, startedAt: state.startedAt, reason: input.reason, then: input.then };
        case 'stopping':
          // A manual stop while a restart-stop is under way cancels the restart.
          return { ...state, then: input.then === 'stopped' ? 'stopped' : state.then };
        case 'pending':
        case 'waiting':
        case 'stopped':
        case 'exited':
        case 'backoff':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'exit':
      switch (state.name) {
        case 'starting':
        case 'running':
        case 'stopping':
          return afterExit(input.exit, input.outcome);
        case 'pending':
        case 'waiting':
        case 'stopped':
        case 'exited':
        case 'backoff':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'complete':
      switch (state.name) {
        case 'pending':
          return { name: 'exited', since: input.at, exit: { code: null, signal: null, at: input.at }, completed: true };
        case 'waiting':
        case 'starting':
        case 'running':
        case 'stopping':
        case 'stopped':
        case 'exited':
        case 'backoff':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'forked':
      // `type: forking`: the launcher exited and the pid file names the process to supervise from now on.
      switch (state.name) {
        case 'starting':
          return { name: 'starting', since: state.since, pid: input.pid, attempt: state.attempt, startedAt: input.at };
        case 'pending':
        case 'waiting':
        case 'running':
        case 'stopping':
        case 'stopped':
        case 'exited':
        case 'backoff':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'fail':
      switch (state.name) {
        case 'pending':
        case 'waiting':
        case 'starting':
        case 'running':
        case 'stopping':
        case 'backoff':
          return { name: 'failed', since: input.at, reason: input.reason };
        case 'stopped':
        case 'exited':
        case 'failed':
        case 'blocked':
          return unexpected(state, input);
      }
    case 'block':
      switch (state.name) {
        case 'pending':
        case 'waiting':
        case 'blocked':
        case 'backoff':
          return { name: 'blocked', since: input.at, reason: input.reason, dependency: input.dependency };
        case 'starting':
        case 'running':
        case 'stopping':
        case 'stopped':
        case 'exited':
        case 'failed':
          return unexpected(state, input);
      }
    case 'cancel':
      switch (state.name) {
        case 'pending':
        case 'waiting':
        case 'backoff':
        case 'blocked':
        case 'failed':
        case 'exited':
        case 'stopped':
          return { name: 'stopped', since: input.at, reason: input.reason };
        case 'starting':
        case 'running':
        case 'stopping':
          return unexpected(state, input);
      }
  }
}

function afterExit(exit: ExitInfo, outcome: ExitOutcome): AgentState {
  switch (outcome.kind) {
    case 'exited':
      return { name: 'exited', since: exit.at, exit, completed: outcome.completed };
    case 'backoff':
      return { name: 'backoff', since: exit.at, attempt: outcome.attempt, until: outcome.until, reason: outcome.reason, lastExit: exit };
    case 'failed':
      return { name: 'failed', since: exit.at, reason: outcome.reason, lastExit: exit };
    case 'stopped':
      return { name: 'stopped', since: exit.at, reason: outcome.reason, lastExit: exit };
  }
}

/** Describes an exit for humans: `exited with code 1`, `killed by SIGKILL`, `exited (code unknown)`. */
export function describeExit(exit: Pick<ExitInfo, 'code' | 'signal'>): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'exited (code unknown)';
  return `exited with code ${exit.code}`;
}
