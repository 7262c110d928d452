/**
 * The shape every importer produces: an orchestra manifest as plain data,
 * agent by agent, with the comments the writer puts above each agent and the
 * located diagnostics of the import. Pure data and small helpers; the YAML
 * text is written by write-manifest.ts, files are read by the CLI.
 */

import type { Diagnostic, Location } from '../util/diagnostic.js';

/** One agent of the imported manifest: its orchestra keys in the order they are written. */
export interface AgentDraft {
  name: string;
  fields: Record<string, unknown>;
  /** Lines written as comments above the agent: where it came from, what was approximated or left out. */
  comments: string[];
}

/** The whole imported manifest. */
export interface ManifestDraft {
  /** Lines written as comments at the top of the file. */
  header: string[];
  defaults?: Record<string, unknown>;
  agents: AgentDraft[];
  /** Environment overlays, by name: agent name → agent fields. */
  environments?: Record<string, Record<string, Record<string, unknown>>>;
}

/** What an importer returns: the draft (absent when the input could not be read) and every diagnostic. */
export interface ImportResult {
  draft?: ManifestDraft;
  diagnostics: Diagnostic[];
}

/**
 * Collects an import's diagnostics. Each warning names the source field and
 * says what orchestra does instead, so nothing is dropped or guessed silently.
 */
export class ImportNotes {
  readonly list: Diagnostic[] = [];

  /** A source field that has no orchestra equivalent, or only an approximate one. */
  warn(code: string, message: string, location: Location | undefined, hint?: string): void {
    this.#add('warning', code, message, location, hint);
  }

  /** A problem that makes the input unusable (the source tool would reject it too). */
  error(code: string, message: string, location: Location | undefined, hint?: string): void {
    this.#add('error', code, message, location, hint);
  }

  /** True when an error was recorded. */
  get failed(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  #add(severity: Diagnostic['severity'], code: string, message: string, location: Location | undefined, hint?: string): void {
    const d: Diagnostic = { severity, code, message };
    if (location) d.location = location;
    if (hint !== undefined) d.hint = hint;
    this.list.push(d);
  }
}

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Gives each source name a valid, unique orchestra agent name
 * (lowercase letters, digits, `_` and `-`, starting with a letter) and
 * remembers the mapping, so dependencies can be renamed the same way.
 */
export class AgentNames {
  readonly #bySource = new Map<string, string>();
  readonly #taken = new Set<string>();

  /** The agent name for `source`; the same source name always gets the same agent name. */
  name(source: string): string {
    const known = this.#bySource.get(source);
    if (known !== undefined) return known;
    let base = source
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-+$/, '')
      .slice(0, 58);
    if (base === '') base = 'agent';
    let candidate = base;
    for (let n = 2; this.#taken.has(candidate); n++) candidate = `${base}-${n}`;
    this.#taken.add(candidate);
    this.#bySource.set(source, candidate);
    return candidate;
  }

  /** The agent name given to `source`, if it has one. */
  lookup(source: string): string | undefined {
    return this.#bySource.get(source);
  }

  /** True when `name` is already a valid agent name (so `name(name) === name` unless taken). */
  static isValid(name: string): boolean {
    return AGENT_NAME.test(name);
  }
}

/** Seconds as an orchestra duration: `2` → `2s`, `0.5` → `500ms`. */
export function seconds(value: number): string {
  if (Number.isInteger(value)) return `${value}s`;
  return `${Math.round(value * 1000)}ms`;
}

/** Milliseconds as an orchestra duration: `1500` → `1500ms`, `3000` → `3s`. */
export function milliseconds(value: number): string {
  if (value % 1000 === 0) return `${value / 1000}s`;
  return `${Math.round(value)}ms`;
}

/** Signals `stop.signal` and `reload.signal` accept. */
export const ORCHESTRA_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

const SIGNAL_NUMBERS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM', 28: 'SIGWINCH' };

/** A signal name (`TERM`, `SIGTERM`, `15`) as orchestra writes it, or undefined when orchestra cannot send it. */
export function signalName(value: string | number): string | undefined {
  if (typeof value === 'number' || /^\d+$/.test(value)) return SIGNAL_NUMBERS[Number(value)];
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return (ORCHESTRA_SIGNALS as readonly string[]).includes(name) ? name : undefined;
}

/** What an importer reads: the source file, and a way to read the files it names (extends, includes, .env). */
export interface ImportInput {
  /** Absolute path of the source file. */
  file: string;
  text: string;
  /** Absolute folder the manifest will be written to (relative paths are rebased onto it). */
  outDir: string;
  /** Reads another file (absolute path); undefined when it does not exist or cannot be read. */
  readText: (file: string) => string | undefined;
  /** Files matching a glob pattern (absolute), for supervisord's `[include]`. */
  glob?: (pattern: string) => string[];
}

/** Records, for one agent, a source field that is lost or approximated: a located warning, and the same words as a comment above the agent. */
export class AgentLosses {
  constructor(
    private readonly notes: ImportNotes,
    /** How warnings name the agent's source, e.g. ``process `web`: `` or `[program:web]: `. */
    private readonly prefix: string,
    private readonly comments: string[],
  ) {}

  /** `key` is not imported; `why` says what orchestra does instead. */
  lose = (key: string, why: string, loc: Location | undefined): void => {
    this.notes.warn('import-unmapped', `${this.prefix}\`${key}\` is not imported: ${why}`, loc);
    this.comments.push(`not imported: ${key} (${why})`);
  };

  /** `key` is imported only approximately; `how` says what differs. */
  approximate = (key: string, how: string, loc: Location | undefined): void => {
    this.notes.warn('import-approximated', `${this.prefix}\`${key}\` is approximated: ${how}`, loc);
    this.comments.push(`approximated: ${key}: ${how}`);
  };
}
