/* Generated from orchestra.schema.json by scripts/gen-types.mjs (npm run gen). Do not edit. */

/*
 * The manifest's types, one per schema definition, each with the schema's
 * description as its doc comment (what an editor shows on hover). Longer
 * than ~300 lines because it mirrors the whole schema in one file: split, it
 * would no longer be the one generated counterpart of orchestra.schema.json.
 */

/**
 * Extra env keys whose values are shown as `***` in every output. Keys matching SECRET, TOKEN, PASSWORD, PASSWD, API_KEY, APIKEY or PRIVATE are masked anyway.
 */
export type Secrets = string[];
/**
 * Agent fields merged under every agent (lowest precedence after the schema defaults).
 */
export type AgentFields = {
  /**
   * Free text shown on the status page.
   */
  description?: string;
  /**
   * Template name, or list of names merged left to right, that this agent inherits from.
   */
  extends?: string | string[];
  /**
   * `service` (runs until stopped), `oneshot` (runs to completion) or `forking` (the command exits 0 after starting a background process whose pid it writes to `pid_file`). Default `service`. A change restarts the agent.
   */
  type?: 'service' | 'oneshot' | 'forking';
  /**
   * With `type: forking`: the file, relative to the agent's cwd, where the background process writes its pid. A change restarts the agent.
   */
  pid_file?: string;
  command?: Command;
  /**
   * Run a string `command` through `sh -c`. Default false. A change restarts the agent.
   */
  shell?: boolean;
  /**
   * Working directory, relative to the manifest. Default: the manifest's directory. A change restarts the agent.
   */
  cwd?: string;
  /**
   * Environment variables for the agent. A change restarts the agent.
   */
  env?: {
    [k: string]: string | number | boolean | null;
  } | null;
  /**
   * dotenv file(s), relative to the manifest, loaded before `env`. A change (also of the files' contents) restarts the agent.
   */
  env_file?: string | string[];
  /**
   * Pass orchestra's own environment to the agent. Default true. A change restarts the agent.
   */
  inherit_env?: boolean;
  /**
   * Run as this user (needs root). A change restarts the agent.
   */
  user?: string;
  /**
   * Number of instances, named `NAME-0`, `NAME-1`, …. Default 1 (then the instance is named `NAME`). A change starts or stops instances only.
   */
  replicas?: number;
  /**
   * Keep the agent in the manifest but stopped. Default false.
   */
  disabled?: boolean;
  /**
   * Start order within a dependency level, higher first; stop order is the reverse. Default 0.
   */
  priority?: number;
  /**
   * Process niceness (-20 to 19) of the agent's process tree; a change is applied to the running tree. Default: unchanged.
   */
  nice?: number;
  /**
   * Agents that must meet a condition before this one starts.
   */
  depends_on?: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | Dependency;
  } | null;
  restart?: Restart;
  stop?: Stop;
  reload?: Reload;
  startup?: Startup;
  readiness?: Probe;
  liveness?: Probe1;
  thresholds?: Thresholds;
  logs?: Logs;
  secrets?: Secrets;
  /**
   * Extension key, ignored by orchestra (the exporters read `x-export`).
   *
   * This interface was referenced by `undefined`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   *
   * This interface was referenced by `undefined`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]:
    | {
        [k: string]: unknown;
      }
    | string
    | string[]
    | 'service'
    | 'oneshot'
    | 'forking'
    | Command
    | boolean
    | {
        [k: string]: string | number | boolean | null;
      }
    | null
    | number
    | {
        /**
         * Extension key, ignored by orchestra.
         *
         * This interface was referenced by `undefined`'s JSON-Schema definition
         * via the `patternProperty` "^x-".
         */
        [k: string]:
          | {
              [k: string]: unknown;
            }
          | Dependency;
      }
    | Restart
    | Stop
    | Reload
    | Startup
    | Probe
    | Probe1
    | Thresholds
    | Logs
    | Secrets
    | undefined;
} | null;
/**
 * The program and its arguments as a list (no shell), or a string run with `sh -c` when `shell: true`.
 */
export type Command = [string, ...string[]] | string;
/**
 * A condition on another agent: `started` (spawned), `ready` (readiness passed) or `completed` (a oneshot exited 0); or an object with `condition` and `restart`.
 */
export type Dependency =
  | ('started' | 'ready' | 'completed')
  | {
      /**
       * `started`, `ready` or `completed`.
       */
      condition: 'started' | 'ready' | 'completed';
      /**
       * Restart this agent whenever the dependency restarts. Default false.
       */
      restart?: boolean;
      /**
       * This interface was referenced by `undefined`'s JSON-Schema definition
       * via the `patternProperty` "^x-".
       */
      [k: string]: unknown;
    };
/**
 * The fields of an agent (also of `defaults`, `templates` and overlay entries).
 */
export type AgentFields1 = {
  /**
   * Free text shown on the status page.
   */
  description?: string;
  /**
   * Template name, or list of names merged left to right, that this agent inherits from.
   */
  extends?: string | string[];
  /**
   * `service` (runs until stopped), `oneshot` (runs to completion) or `forking` (the command exits 0 after starting a background process whose pid it writes to `pid_file`). Default `service`. A change restarts the agent.
   */
  type?: 'service' | 'oneshot' | 'forking';
  /**
   * With `type: forking`: the file, relative to the agent's cwd, where the background process writes its pid. A change restarts the agent.
   */
  pid_file?: string;
  command?: Command;
  /**
   * Run a string `command` through `sh -c`. Default false. A change restarts the agent.
   */
  shell?: boolean;
  /**
   * Working directory, relative to the manifest. Default: the manifest's directory. A change restarts the agent.
   */
  cwd?: string;
  /**
   * Environment variables for the agent. A change restarts the agent.
   */
  env?: {
    [k: string]: string | number | boolean | null;
  } | null;
  /**
   * dotenv file(s), relative to the manifest, loaded before `env`. A change (also of the files' contents) restarts the agent.
   */
  env_file?: string | string[];
  /**
   * Pass orchestra's own environment to the agent. Default true. A change restarts the agent.
   */
  inherit_env?: boolean;
  /**
   * Run as this user (needs root). A change restarts the agent.
   */
  user?: string;
  /**
   * Number of instances, named `NAME-0`, `NAME-1`, …. Default 1 (then the instance is named `NAME`). A change starts or stops instances only.
   */
  replicas?: number;
  /**
   * Keep the agent in the manifest but stopped. Default false.
   */
  disabled?: boolean;
  /**
   * Start order within a dependency level, higher first; stop order is the reverse. Default 0.
   */
  priority?: number;
  /**
   * Process niceness (-20 to 19) of the agent's process tree; a change is applied to the running tree. Default: unchanged.
   */
  nice?: number;
  /**
   * Agents that must meet a condition before this one starts.
   */
  depends_on?: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | Dependency;
  } | null;
  restart?: Restart;
  stop?: Stop;
  reload?: Reload;
  startup?: Startup;
  readiness?: Probe;
  liveness?: Probe1;
  thresholds?: Thresholds;
  logs?: Logs;
  secrets?: Secrets;
  /**
   * Extension key, ignored by orchestra (the exporters read `x-export`).
   *
   * This interface was referenced by `undefined`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   *
   * This interface was referenced by `undefined`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]:
    | {
        [k: string]: unknown;
      }
    | string
    | string[]
    | 'service'
    | 'oneshot'
    | 'forking'
    | Command
    | boolean
    | {
        [k: string]: string | number | boolean | null;
      }
    | null
    | number
    | {
        /**
         * Extension key, ignored by orchestra.
         *
         * This interface was referenced by `undefined`'s JSON-Schema definition
         * via the `patternProperty` "^x-".
         */
        [k: string]:
          | {
              [k: string]: unknown;
            }
          | Dependency;
      }
    | Restart
    | Stop
    | Reload
    | Startup
    | Probe
    | Probe1
    | Thresholds
    | Logs
    | Secrets
    | undefined;
} | null;

/**
 * An orchestra manifest: the long-running local processes (agents) of one project, how they depend on each other, and how they are supervised.
 */
export interface Manifest {
  /**
   * Manifest format version. Always 1.
   */
  version: 1;
  /**
   * Project name, shown in status output and used to name exported units. Defaults to the manifest directory's name.
   */
  name?: string;
  vars?: Vars;
  secrets?: Secrets;
  monitor?: Monitor;
  notify?: Notify;
  defaults?: AgentFields;
  /**
   * Named agent bases. An agent inherits one or more of them with `extends`.
   */
  templates?: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | AgentFields1;
  };
  /**
   * The agents to run, by name. A name is lowercase letters, digits, `_` and `-`, starting with a letter.
   */
  agents: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | AgentFields1;
  };
  /**
   * Overlays chosen with `--env NAME` or `ORCHESTRA_ENV`; merged over the manifest after inheritance.
   */
  environments?: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | Overlay;
  };
  /**
   * Extension key, ignored by orchestra (useful for YAML anchors).
   *
   * This interface was referenced by `Manifest`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]:
    | {
        [k: string]: unknown;
      }
    | 1
    | string
    | Vars
    | Secrets
    | Monitor
    | Notify
    | AgentFields
    | {
        /**
         * Extension key, ignored by orchestra.
         *
         * This interface was referenced by `undefined`'s JSON-Schema definition
         * via the `patternProperty` "^x-".
         */
        [k: string]:
          | {
              [k: string]: unknown;
            }
          | AgentFields1;
      }
    | {
        /**
         * Extension key, ignored by orchestra.
         *
         * This interface was referenced by `undefined`'s JSON-Schema definition
         * via the `patternProperty` "^x-".
         */
        [k: string]:
          | {
              [k: string]: unknown;
            }
          | Overlay;
      }
    | undefined;
}
/**
 * Values available to templates as `{{vars.NAME}}`.
 */
export interface Vars {
  [k: string]: string | number | boolean | null;
}
/**
 * Resource monitoring of the whole fleet.
 */
export interface Monitor {
  /**
   * How often agents with `thresholds` or `nice` are sampled and judged. Usage of the others (for status, the dashboard, the page and its sparklines) is refreshed every fifth interval while someone watches (a look in the last 3 minutes, an open dashboard) or something is judged, once a minute while nobody does, and when someone looks: before the answer if it is older than five intervals, for the next look if older than one. Default `2s`.
   */
  interval?: string;
  /**
   * This interface was referenced by `Monitor`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Who is told about applied or rejected changes and alerts, as JSON.
 */
export interface Notify {
  /**
   * A command that receives each notification as JSON on standard input.
   */
  command?: [string, ...string[]] | string;
  /**
   * An http:// or https:// URL that receives each notification as a JSON POST.
   */
  webhook?: string;
  /**
   * Which notifications to send. Default: all.
   */
  events?: ('applied' | 'rejected' | 'alert' | 'failed')[];
  /**
   * HTTP headers sent with each webhook request; values are interpolated (e.g. `Bearer ${TOKEN}`) and masked in every output.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * How long one webhook request may take. Default `5s`.
   */
  timeout?: string;
  /**
   * How many times a failed webhook request is retried, with exponential backoff from 500ms. Default 3.
   */
  retries?: number;
  /**
   * This interface was referenced by `Notify`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * When and how an exited agent is restarted.
 */
export interface Restart {
  /**
   * `always`, `on-failure` (non-zero exit or a signal) or `never`. Default `on-failure`.
   */
  when?: 'always' | 'on-failure' | 'never';
  /**
   * `immediate`, `delayed` (wait `delay`) or `exponential` (`delay * 2^n` capped at `max_delay`, with ±10% jitter). Default `exponential`.
   */
  strategy?: 'immediate' | 'delayed' | 'exponential';
  /**
   * Base delay before a restart. Default `1s`.
   */
  delay?: string;
  /**
   * Upper bound of the exponential delay. Default `1m`.
   */
  max_delay?: string;
  /**
   * Consecutive failed runs after which the agent is marked failed. 0 means never give up. Default 10.
   */
  max_attempts?: number;
  /**
   * A run that lasts this long resets the attempt count and the backoff. Default `5m`.
   */
  reset_after?: string;
  /**
   * This interface was referenced by `Restart`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * How the agent is stopped.
 */
export interface Stop {
  /**
   * Signal sent when a stop begins, to the processes `mode` names. Default `SIGTERM`.
   */
  signal?: 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGKILL' | 'SIGUSR1' | 'SIGUSR2' | 'SIGWINCH';
  /**
   * How long to wait after the signal (or `command`) before SIGKILL of everything left in the agent's boundary. Default `10s`.
   */
  timeout?: string;
  /**
   * Who receives `signal`: `group` (the agent's process group), `main` (the main process only, as PostgreSQL wants), `all` (every process in the boundary). Whatever the mode, everything left in the boundary is SIGKILLed once those processes are gone or `timeout` passed, escapes included (docs/supervision.md). Default `group`.
   */
  mode?: 'group' | 'main' | 'all';
  /**
   * The program and its arguments as a list (no shell), or a string run with `sh -c` when `shell: true`.
   */
  command?: [string, ...string[]] | string;
  /**
   * This interface was referenced by `Stop`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * How the agent reloads its configuration without a restart (the pid is kept). Give `signal` or `command`.
 */
export interface Reload {
  /**
   * Signal sent to the main process to reload, e.g. `SIGHUP`.
   */
  signal?: 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGKILL' | 'SIGUSR1' | 'SIGUSR2' | 'SIGWINCH';
  /**
   * The program and its arguments as a list (no shell), or a string run with `sh -c` when `shell: true`.
   */
  command?: [string, ...string[]] | string;
  /**
   * Files, relative to the manifest, whose content changes are applied by a reload instead of a restart.
   */
  on_change?: string[];
  /**
   * This interface was referenced by `Reload`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Bounds on how long the agent may take to become ready.
 */
export interface Startup {
  /**
   * Time from spawn to ready before the start counts as failed. Default `60s`.
   */
  timeout?: string;
  /**
   * How many times a failed start is retried before the agent is marked failed. Default 0.
   */
  retries?: number;
  /**
   * This interface was referenced by `Startup`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Probe that decides when a started agent is ready.
 */
export interface Probe {
  /**
   * The program and its arguments as a list (no shell), or a string run with `sh -c` when `shell: true`.
   */
  exec?: [string, ...string[]] | string;
  /**
   * `host:port` that accepts a TCP connection when the agent is healthy.
   */
  tcp?: string;
  /**
   * An http:// URL that answers 2xx or 3xx when the agent is healthy.
   */
  http?: string;
  /**
   * A regular expression; the probe passes once a line of the agent's output matches it (readiness only).
   */
  log?: string;
  /**
   * Time between probe attempts. Default `1s` for readiness, `10s` for liveness.
   */
  interval?: string;
  /**
   * Time one attempt may take. Default `2s`.
   */
  timeout?: string;
  /**
   * Consecutive failed attempts that make a liveness probe fail. Default 3.
   */
  failures?: number;
  /**
   * Wait this long after spawn before the first attempt. Default `0s`.
   */
  initial_delay?: string;
  /**
   * This interface was referenced by `Probe`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   *
   * This interface was referenced by `Probe1`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Probe run while the agent is running; after `failures` consecutive failures the agent is restarted.
 */
export interface Probe1 {
  /**
   * The program and its arguments as a list (no shell), or a string run with `sh -c` when `shell: true`.
   */
  exec?: [string, ...string[]] | string;
  /**
   * `host:port` that accepts a TCP connection when the agent is healthy.
   */
  tcp?: string;
  /**
   * An http:// URL that answers 2xx or 3xx when the agent is healthy.
   */
  http?: string;
  /**
   * A regular expression; the probe passes once a line of the agent's output matches it (readiness only).
   */
  log?: string;
  /**
   * Time between probe attempts. Default `1s` for readiness, `10s` for liveness.
   */
  interval?: string;
  /**
   * Time one attempt may take. Default `2s`.
   */
  timeout?: string;
  /**
   * Consecutive failed attempts that make a liveness probe fail. Default 3.
   */
  failures?: number;
  /**
   * Wait this long after spawn before the first attempt. Default `0s`.
   */
  initial_delay?: string;
  /**
   * This interface was referenced by `Probe`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   *
   * This interface was referenced by `Probe1`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Resource limits of the agent's whole process tree.
 */
export interface Thresholds {
  /**
   * Resident memory (RSS) of the whole process tree.
   */
  memory?: {
    /**
     * Raise an alert above this size.
     */
    warn?: string;
    /**
     * Run `on_critical` above this size.
     */
    critical?: string;
    /**
     * How long a level must hold before it fires. Default `0s`.
     */
    for?: string;
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]: unknown;
  };
  /**
   * CPU use of the whole process tree, 100% being one core.
   */
  cpu?: {
    /**
     * Raise an alert above this percentage.
     */
    warn?: string;
    /**
     * Run `on_critical` above this percentage.
     */
    critical?: string;
    /**
     * How long a level must hold before it fires. Default `0s`.
     */
    for?: string;
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]: unknown;
  };
  /**
   * What a critical breach does: `alert`, `restart` or `stop`. Default `alert`.
   */
  on_critical?: 'alert' | 'restart' | 'stop';
  /**
   * This interface was referenced by `Thresholds`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * Log file rotation for this agent's stdout and stderr.
 */
export interface Logs {
  /**
   * Rotate a log file when it grows past this size. Default `10MiB`.
   */
  max_size?: string;
  /**
   * How many rotated files to keep. Default 3.
   */
  keep?: number;
  /**
   * This interface was referenced by `Logs`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
/**
 * An environment overlay: values merged over the manifest when this environment is chosen.
 */
export interface Overlay {
  vars?: Vars;
  defaults?: AgentFields1;
  /**
   * Per-agent overrides, by agent name.
   */
  agents?: {
    /**
     * Extension key, ignored by orchestra.
     *
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^x-".
     */
    [k: string]:
      | {
          [k: string]: unknown;
        }
      | AgentFields1;
  };
  notify?: Notify;
  monitor?: Monitor;
  /**
   * This interface was referenced by `Overlay`'s JSON-Schema definition
   * via the `patternProperty` "^x-".
   */
  [k: string]: unknown;
}
