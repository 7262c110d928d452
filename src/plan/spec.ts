/**
 * The Plan: a manifest fully resolved, validated and with defaults applied.
 * Pure data that every later stage (planner, supervisor, exporters, status
 * page) consumes. Durations are in milliseconds, sizes in bytes. The loader
 * (src/manifest/load.ts) is the only producer.
 */

import type { DependencyCondition } from '../graph/graph.js';
import type { Location } from '../util/diagnostic.js';

export type { DependencyCondition };

export type AgentType = 'service' | 'oneshot' | 'forking';
export type RestartWhen = 'always' | 'on-failure' | 'never';
export type RestartStrategy = 'immediate' | 'delayed' | 'exponential';
export type CriticalAction = 'alert' | 'restart' | 'stop';
/** Who gets the stop signal: the process group, the main process, or every process in the boundary (docs/supervision.md). */
export type StopMode = 'group' | 'main' | 'all';
export type StopSignal =
  | 'SIGTERM'
  | 'SIGINT'
  | 'SIGQUIT'
  | 'SIGHUP'
  | 'SIGKILL'
  | 'SIGUSR1'
  | 'SIGUSR2'
  | 'SIGWINCH';

/** A condition on another agent (by manifest agent name, not instance name). */
export interface DependencySpec {
  /** The manifest name of the agent depended on; with replicas, every instance must meet the condition. */
  agent: string;
  condition: DependencyCondition;
  /** Restart this instance whenever the dependency restarts. */
  restart: boolean;
}

export type ProbeCheck =
  | { kind: 'exec'; command: string[] }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'http'; url: string }
  | { kind: 'log'; pattern: string };

/** A probe with its timing, all resolved. */
export type ProbeSpec = ProbeCheck & {
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before a liveness probe fails. */
  failures: number;
  initialDelayMs: number;
};

export interface RestartSpec {
  when: RestartWhen;
  strategy: RestartStrategy;
  delayMs: number;
  maxDelayMs: number;
  /** 0 means never give up. */
  maxAttempts: number;
  resetAfterMs: number;
}

export interface LevelThreshold {
  warn?: number;
  critical?: number;
  forMs: number;
}

export interface ThresholdsSpec {
  /** Bytes of RSS of the whole tree. */
  memory?: LevelThreshold;
  /** Percent of one core for the whole tree. */
  cpu?: LevelThreshold;
  onCritical: CriticalAction;
}

/** A reload keeps the pid: a signal to the main process, or a command run with the agent's env and cwd. */
export interface ReloadSpec {
  signal?: StopSignal;
  command?: string[];
  /** Absolute paths whose content changes an apply turns into a reload instead of a restart. */
  onChange: string[];
}

/** One process instance to supervise. `api` with 2 replicas gives `api-0` and `api-1`. */
export interface AgentSpec {
  /** Instance name: unique in the Plan, safe in file names. */
  name: string;
  /** The manifest agent this instance comes from. */
  agent: string;
  replica: { index: number; count: number };
  description?: string;
  type: AgentType;
  /** With `type: forking`: absolute path of the file the forked process writes its pid to. */
  pidFile?: string;
  /** argv; with `shell: true` this is `['sh', '-c', text]` already. */
  command: string[];
  shell: boolean;
  /** Absolute working directory. */
  cwd: string;
  /** Variables from `env_file` files then `env`, rendered. Does not include the inherited environment. */
  env: Record<string, string>;
  /** Absolute paths of the env files read (their contents are part of the fingerprint). */
  envFiles: string[];
  inheritEnv: boolean;
  user?: string;
  disabled: boolean;
  priority: number;
  nice?: number;
  dependsOn: DependencySpec[];
  restart: RestartSpec;
  stop: {
    signal: StopSignal;
    timeoutMs: number;
    /** Who gets `signal`; absent means `group` (plans applied before the key existed). */
    mode?: StopMode;
    /** argv run instead of sending `signal` when a stop begins (`['sh', '-c', text]` with `shell: true`). */
    command?: string[];
  };
  /** How the agent reloads in place; absent when it cannot. */
  reload?: ReloadSpec;
  startup: { timeoutMs: number; retries: number };
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
  thresholds?: ThresholdsSpec;
  logs: { maxSizeBytes: number; keep: number };
  /** Env keys whose values must be masked in every output. */
  secretKeys: string[];
  /** Extension keys (`x-*`) of the agent, kept for exporters (e.g. `x-export`). */
  extensions: Record<string, unknown>;
}

/** Who is told about applied and rejected changes, alerts and failures. */
export interface NotifySpec {
  command?: string[];
  webhook?: string;
  /** Sent with each webhook request; values already interpolated, masked in every output. */
  headers?: Record<string, string>;
  /** One webhook request's time limit. */
  timeoutMs: number;
  /** Further attempts after a failed webhook request, with exponential backoff. */
  retries: number;
  events: string[];
}

/** Where a resolved value came from, keyed by dotted path such as `agents.api.env.PORT`. */
export type Origins = Record<string, Location>;

/** A fully resolved manifest. */
export interface Plan {
  version: 1;
  name: string;
  /** The manifest and overlay files, absolute, in load order. */
  files: string[];
  /** Directory of the main manifest; relative paths resolve against it. */
  baseDir: string;
  /** The chosen environment overlay, if any. */
  environment?: string;
  /** Manifest agent names in manifest order, with their instance names. */
  agents: { name: string; instances: string[] }[];
  /** Every instance, in manifest order. */
  instances: AgentSpec[];
  monitor: { intervalMs: number };
  notify?: NotifySpec;
  origins: Origins;
}
