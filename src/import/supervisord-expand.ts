/**
 * supervisord's `%(name)s` expansion (Python %-formatting) turned into
 * orchestra's. Values known when importing (`here`, `program_name`,
 * `group_name`, `numprocs`, and `ENV_X` from the program's `environment`,
 * then `[supervisord]`'s) are written out; `process_num` becomes a replica
 * template, and `ENV_X` from nowhere else becomes `${X}` (orchestra reads
 * the process environment, and stops with an error when X is unset, as
 * supervisord does). Unknown names are errors, as in supervisord. Pure.
 */

import { literal } from './text.js';

/** What a `%(name)s` in one program can refer to. */
export interface PercentNames {
  /** Names with a value known now: here, program_name, group_name, numprocs, ENV_X. */
  known: ReadonlyMap<string, string>;
  /** `numprocs_start`, when `process_num` is a replica template; undefined when numprocs is 1 (then process_num is known). */
  replicaStart?: number;
}

const PATTERN = /%\(([^)]*)\)([-#0 +]*\d*(?:\.\d+)?)([sdirfxXoeEgGc])|%%/g;
const NUM = '\uE000';
const ENV_OPEN = '\uE001';
const ENV_CLOSE = '\uE002';

/**
 * Expands `text`, leaving markers for what orchestra fills in later; `finish`
 * turns a (split) piece of the result into orchestra text. `problem` is told
 * about names that cannot be expanded (an error) or formatting that is lost.
 */
export function expandPercent(text: string, names: PercentNames, problem: (kind: 'error' | 'warning', message: string) => void): string {
  return text.replace(PATTERN, (all, name: string | undefined, flags: string | undefined, conv: string | undefined) => {
    if (all === '%%') return '%';
    const key = name!;
    if (key === 'process_num' && names.replicaStart !== undefined) {
      if (flags) problem('warning', `\`%(process_num)${flags}${conv}\`: orchestra's replica number is written without padding`);
      return NUM;
    }
    const value = names.known.get(key);
    if (value !== undefined) return format(value, flags ?? '', conv ?? 's');
    if (key.startsWith('ENV_')) return `${ENV_OPEN}${key.slice(4)}${ENV_CLOSE}`;
    problem('error', `\`%(${key})${flags ?? ''}${conv ?? ''}\` names nothing supervisord can expand here`);
    return all;
  });
}

/** Orchestra text for a piece of `expandPercent`'s result: literal text escaped, markers turned into templates and `${X}`. */
export function finishPercent(piece: string, replicaStart: number | undefined): string {
  const replica = replicaStart ? `{{add ${replicaStart} replica.index}}` : '{{replica.index}}';
  return literal(piece)
    .split(NUM)
    .join(replica)
    .replace(new RegExp(`${ENV_OPEN}([^${ENV_CLOSE}]*)${ENV_CLOSE}`, 'g'), (_, name: string) => `\${${name}}`);
}

function format(value: string, flags: string, conv: string): string {
  const width = /(\d+)/.exec(flags);
  if (conv === 'd' && width && flags.includes('0')) return value.padStart(Number(width[1]), '0');
  if (width) return value.padStart(Number(width[1]));
  return value;
}
