#!/usr/bin/env node
/**
 * The orchestra command line: declares every command and its flags, then
 * loads the command's module lazily so `orchestra --help` stays fast. This
 * directory is the only place that sets exit codes.
 */

import { Command, Option } from 'commander';
import type { WarmDaemon } from '../daemon/launcher.js';
import { collect, manifestFiles, useColor, withManifestOptions, type ManifestFlags } from './options.js';

const program = new Command();

program
  .name('orchestra')
  .description('Declarative orchestrator for long-running local processes.')
  .version(await readVersion(), '-V, --version')
  .showSuggestionAfterError(true)
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false });

withManifestOptions(program.command('validate'))
  .description('check the manifest and report every problem with its file, line and column')
  .option('--json', 'print the result as JSON')
  .action(async (flags: ManifestFlags & { json?: boolean }) => {
    const { runValidate } = await import('./validate.js');
    finish(await runValidate(flags));
  });

withManifestOptions(program.command('config'))
  .description('print the fully resolved manifest (defaults, inheritance, overlays and templates applied)')
  .option('--json', 'print JSON instead of YAML')
  .option('--show-secrets', 'print secret values instead of ***')
  .action(async (flags: ManifestFlags & { json?: boolean; showSecrets?: boolean }) => {
    const { runConfig } = await import('./config.js');
    finish(await runConfig(flags));
  });

withManifestOptions(program.command('graph'))
  .description('show the dependency graph by startup level')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'mermaid']).default('text'))
  .action(async (flags: ManifestFlags & { format: 'text' | 'dot' | 'mermaid' }) => {
    const { runGraph } = await import('./graph.js');
    finish(await runGraph(flags));
  });

program
  .command('init')
  .description('write a commented starter orchestra.yaml in the current directory')
  .option('-f, --file <path>', 'where to write it', 'orchestra.yaml')
  .option('--name <name>', 'project name (default: the directory name)')
  .action(async (flags: { file: string; name?: string }) => {
    const { runInit } = await import('./init.js');
    finish(await runInit(flags));
  });

withManifestOptions(program.command('up'))
  .description('start every agent in the foreground and supervise them until Ctrl-C (like docker compose up)')
  .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)')
  .action(async (flags: ManifestFlags & { stateDir?: string }) => {
    const { runUp } = await import('./up.js');
    const options: Parameters<typeof runUp>[0] = { files: manifestFiles(flags), set: flags.set, color: useColor() };
    if (flags.env !== undefined) options.environment = flags.env;
    if (flags.stateDir !== undefined) options.stateDir = flags.stateDir;
    finish(await runUp(options));
  });

withManifestOptions(program.command('export'))
  .description('export the manifest to another engine: systemd, kubernetes, compose or nomad')
  .argument('<target>', 'systemd | kubernetes | compose | nomad')
  .option('-o, --out <path>', 'write to this directory (systemd) or file instead of stdout')
  .option('--image <image>', 'container image for agents without x-export.image (kubernetes, compose)')
  .option('--strict', 'treat fields that do not map as errors')
  .option('--systemd-version <n>', 'target systemd version; below 254 the exponential backoff keys are left out')
  .option('--json', 'print warnings as JSON')
  .action(async (target: string, flags: ManifestFlags & { out?: string; image?: string; strict?: boolean; json?: boolean; systemdVersion?: string }) => {
    const { runExport } = await import('./export.js');
    const options: Parameters<typeof runExport>[0] = {
      target,
      files: manifestFiles(flags),
      set: flags.set,
      strict: flags.strict === true,
      json: flags.json === true,
      color: useColor(process.stderr),
    };
    if (flags.env !== undefined) options.environment = flags.env;
    if (flags.out !== undefined) options.out = flags.out;
    if (flags.image !== undefined) options.image = flags.image;
    if (flags.systemdVersion !== undefined) {
      const version = Number(flags.systemdVersion);
      if (!Number.isInteger(version) || version < 200) {
        process.stderr.write(`orchestra export: invalid --systemd-version "${flags.systemdVersion}": expected a version number such as 252\n`);
        return finish(1);
      }
      options.systemdVersion = version;
    }
    finish(await runExport(options));
  });

program
  .command('import')
  .description('turn a process-compose, Procfile, PM2 or supervisord file into an orchestra.yaml')
  .argument('<format>', 'process-compose | procfile | pm2 | supervisord')
  .argument('<file>', 'the file to import')
  .option('-o, --out <path>', 'write the manifest here instead of stdout')
  .option('--strict', 'treat fields that do not map as errors')
  .option('--json', 'print the result as JSON')
  .action(async (format: string, file: string, flags: { out?: string; strict?: boolean; json?: boolean }) => {
    const { runImport } = await import('./import.js');
    const options: Parameters<typeof runImport>[0] = { format, file, strict: flags.strict === true, json: flags.json === true, color: useColor(process.stderr) };
    if (flags.out !== undefined) options.out = flags.out;
    finish(await runImport(options));
  });

type DaemonFlags = ManifestFlags & { stateDir?: string; json?: boolean };

/** Adds the flags that locate a project's state: `-f` (its folder) and `--state-dir`. */
function withStateOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'manifest whose folder holds the state (default: ./orchestra.yaml)', collect, [])
    .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)');
}

withManifestOptions(program.command('plan'))
  .description('show what apply would change, without changing anything')
  .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)')
  .option('--out <file>', 'save the plan; `orchestra apply FILE` applies exactly it (refused once stale)')
  .option('--json', 'print the plan as JSON')
  .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes, 1 on error')
  .action(async (flags: DaemonFlags & { out?: string; detailedExitcode?: boolean }) => {
    const { runPlan } = await import('./plan.js');
    finish(await runPlan(flags));
  });

withManifestOptions(program.command('apply'))
  .description('converge the running agents to the manifest (or to a saved plan) through the daemon')
  .argument('[planfile]', 'a plan saved with `orchestra plan --out`')
  .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)')
  .option('-y, --yes', 'apply without asking')
  .option('--timeout <duration>', 'give up waiting for convergence after this long (e.g. 2m); the daemon carries on')
  .option('--lock-timeout <duration>', 'wait this long for another apply to finish (default: fail at once)')
  .option('--foreground', 'stay attached like docker compose up: show events, Ctrl-C stops everything')
  .option('-w, --watch', 're-apply whenever an input file changes (manifest, overlays, .env, env_file); invalid changes are ignored')
  .action(async (planFile: string | undefined, flags: DaemonFlags & { yes?: boolean; timeout?: string; lockTimeout?: string }) => {
    // Before loading anything else: the daemon then starts on the other core while this process loads the manifest.
    const warm = planFile === undefined ? await warmDaemonFor(flags) : undefined;
    try {
      const { runApply } = await import('./apply.js');
      finish(await runApply(flags, planFile, warm));
    } finally {
      await warm?.cancel();
    }
  });

for (const name of ['status', 'ps']) {
  withStateOptions(program.command(name))
    .description(name === 'status' ? 'show every agent: state, pid, uptime, cpu, memory, restarts, health' : 'alias of status')
    .option('--json', 'print the status snapshot as JSON')
    .option('-w, --watch', 'refresh every --interval seconds')
    .option('--interval <seconds>', 'refresh interval for --watch', '2')
    .action(async (flags: DaemonFlags & { watch?: boolean; interval?: string }) => {
      const { runStatus } = await import('./status.js');
      finish(await runStatus(flags));
    });
}

for (const action of ['start', 'stop', 'restart'] as const) {
  withStateOptions(program.command(action))
    .description(`${action} agents (names or instance names), or --all in ${action === 'stop' ? 'reverse ' : ''}dependency order`)
    .argument('[agents...]', 'agent or instance names')
    .option('--all', `${action} every agent`)
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], flags: DaemonFlags & { all?: boolean }) => {
      const { runControl } = await import('./control.js');
      finish(await runControl(action, names, flags));
    });
}

withStateOptions(program.command('reload'))
  .description('reload agents in place with their `reload` signal or command (the pid is kept), or --all that have one')
  .argument('[agents...]', 'agent or instance names')
  .option('--all', 'reload every agent that has `reload`')
  .option('--json', 'print the result as JSON')
  .action(async (names: string[], flags: DaemonFlags & { all?: boolean }) => {
    const { runReload } = await import('./control.js');
    finish(await runReload(names, flags));
  });

withStateOptions(program.command('kill'))
  .description('emergency stop: SIGKILL every agent process tree at once')
  .option('-y, --yes', 'do not ask for confirmation')
  .action(async (flags: DaemonFlags & { yes?: boolean }) => {
    const { runKill } = await import('./control.js');
    finish(await runKill(flags));
  });

withStateOptions(program.command('down'))
  .description('stop every agent in reverse dependency order, then the daemon')
  .action(async (flags: DaemonFlags) => {
    const { runDown } = await import('./control.js');
    finish(await runDown(flags));
  });

// Here -f means follow, as in `tail -f` and `docker compose logs -f`; the manifest is --file.
program
  .command('logs')
  .description("print agents' output (all agents when none is named)")
  .argument('[agents...]', 'agent or instance names')
  .option('-f, --follow', 'keep printing new lines')
  .option('--file <path>', 'manifest whose folder holds the state (default: ./orchestra.yaml)', collect, [])
  .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)')
  .option('--tail <lines>', 'lines to show from the end of each log', '100')
  .action(async (names: string[], flags: DaemonFlags & { follow?: boolean; tail?: string }) => {
    const { runLogs } = await import('./logs.js');
    finish(await runLogs(names, flags));
  });

withStateOptions(program.command('history'))
  .description('list applied revisions, newest first')
  .option('--json', 'print JSON')
  .action(async (flags: DaemonFlags) => {
    const { runHistory } = await import('./history.js');
    finish(await runHistory(flags));
  });

withManifestOptions(program.command('diff'))
  .description('compare revision A with revision B, or with the current manifest')
  .argument('<a>', 'revision number')
  .argument('[b]', 'revision number (default: the current manifest)')
  .option('--state-dir <dir>', 'state directory (default: .orchestra beside the manifest)')
  .option('--json', 'print JSON')
  .action(async (a: string, b: string | undefined, flags: DaemonFlags) => {
    const { runDiff } = await import('./history.js');
    finish(await runDiff(a, b, flags));
  });

withStateOptions(program.command('rollback'))
  .description('re-apply revision N (default: the previous one) as a new revision')
  .argument('[revision]', 'revision number')
  .option('-y, --yes', 'apply without asking')
  .option('--timeout <duration>', 'give up waiting for convergence after this long')
  .option('--lock-timeout <duration>', 'wait this long for another apply to finish')
  .action(async (n: string | undefined, flags: DaemonFlags & { yes?: boolean; set?: string[] }) => {
    const { runRollback } = await import('./history.js');
    finish(await runRollback(n, { ...flags, set: flags.set ?? [] }));
  });

withStateOptions(program.command('page'))
  .description('write the current status as one self-contained HTML page')
  .option('-o, --out <file>', 'write here instead of stdout')
  .action(async (flags: DaemonFlags & { out?: string }) => {
    const { runPage } = await import('./page.js');
    finish(await runPage(flags));
  });

withStateOptions(program.command('dashboard'))
  .description('serve the live dashboard on 127.0.0.1 and print its URL (with its access token)')
  .option('--port <port>', 'port to listen on (default: any free port)')
  .option('--json', 'print the URL as JSON')
  .action(async (flags: DaemonFlags & { port?: string }) => {
    const { runDashboard } = await import('./page.js');
    finish(await runDashboard(flags));
  });

/** A daemon spawned ahead for `apply` when none runs for its state directory (see WarmDaemon in launcher.ts). */
async function warmDaemonFor(flags: DaemonFlags): Promise<WarmDaemon | undefined> {
  const [{ warmDaemon }, { stateDirFor }] = await Promise.all([import('../daemon/launcher.js'), import('../daemon/paths.js')]);
  return warmDaemon(stateDirFor(manifestFiles(flags)[0] ?? 'orchestra.yaml', flags.stateDir));
}

function finish(code: number): void {
  process.exitCode = code;
}

async function readVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A bug, not a user error: say so briefly; the stack only on request.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`orchestra: internal error: ${message}\n`);
  if (process.env.ORCHESTRA_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  process.exitCode = 1;
}
