/**
 * Options shared by the commands that load a manifest, and the terminal
 * facts (colour) every command needs. No command logic lives here.
 */

import type { Command } from 'commander';

/** The manifest-selection options as commander hands them over. */
export interface ManifestFlags {
  file: string[];
  env?: string;
  set: string[];
}

/** Commander's way to make `-f a -f b` into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `-f`, `--env` and `--set` to a command. */
export function withManifestOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'manifest file; repeat to merge overlay files in order', collect, [])
    .option('--env <name>', 'environment overlay to apply (default: $ORCHESTRA_ENV)')
    .option('--set <path=value>', 'override one value, e.g. agents.api.replicas=3; repeatable', collect, []);
}

/** The files to load: `-f` values, or ./orchestra.yaml. */
export function manifestFiles(flags: ManifestFlags): string[] {
  return flags.file.length > 0 ? flags.file : ['orchestra.yaml'];
}

/** Whether to colour output written to the given stream (NO_COLOR and FORCE_COLOR respected). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && process.env.TERM !== 'dumb';
}
