/**
 * How one process-compose process restarts and stops: `availability` as an
 * orchestra `restart` policy and `shutdown` as `stop`. What has no exact
 * equivalent is said through the agent's `approximate` and `lose`. Pure.
 */

import type { Location } from '../util/diagnostic.js';
import type { MapNode } from '../manifest/node.js';
import { seconds, signalName } from './draft.js';
import type { PcTextContext } from './process-compose-env.js';
import { pcText } from './process-compose-text.js';
import { boolean, number, text } from './read-values.js';
import { commandFor } from './text.js';

/** Says something about one key of the process: `(key, why, where)`. */
export type Say = (key: string, text: string, loc: Location) => void;

/** `availability` as `restart`: the policy, its delay and its attempts; undefined when nothing differs from the defaults. */
export function availability(name: string, p: MapNode, ctx: PcTextContext, approximate: Say, lose: Say): Record<string, unknown> | undefined {
  const { notes } = ctx;
  const node = p.entries.get('availability')?.value;
  if (node === undefined || node.kind !== 'map') return undefined;
  const out: Record<string, unknown> = {};
  const word = text(node.entries.get('restart')?.value, '`availability.restart`', notes);
  const key = (k: string): Location => node.entries.get(k)?.key ?? node.loc;
  switch (word) {
    case undefined:
    case 'no':
      break;
    case 'always':
      out['when'] = 'always';
      break;
    case 'on_failure':
      out['when'] = 'on-failure';
      break;
    case 'exit_on_failure':
      approximate('availability.restart', '`exit_on_failure` stops all of process-compose when this process fails; orchestra marks the agent failed (its dependents blocked) and leaves the rest running', key('restart'));
      break;
    default:
      notes.warn('import-approximated', `process \`${name}\`: unknown \`availability.restart\` \`${word}\`; imported as \`no\``, node.entries.get('restart')?.value.loc);
  }
  const backoff = number(node.entries.get('backoff_seconds')?.value, '`backoff_seconds`', notes);
  if (backoff !== undefined && backoff !== 1) out['delay'] = seconds(backoff);
  const max = number(node.entries.get('max_restarts')?.value, '`max_restarts`', notes);
  if (max !== undefined && max > 0) {
    // max_restarts counts restarts; max_attempts counts failed runs, one more than the restarts between them.
    out['max_attempts'] = max + 1;
    if (word === 'always') approximate('availability.max_restarts', 'orchestra counts only failed runs towards `max_attempts`; clean exits restart without limit', key('max_restarts'));
  }
  for (const flag of ['exit_on_end', 'exit_on_skipped']) {
    if (node.entries.has(flag) && boolean(node.entries.get(flag)?.value, `\`${flag}\``, notes) === true) {
      lose(`availability.${flag}`, 'orchestra does not stop the fleet when one agent ends; `orchestra up` ends when every agent has ended', key(flag));
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `shutdown` as `stop`: command or signal, timeout, and whether only the main process is signalled. */
export function shutdown(name: string, p: MapNode, ctx: PcTextContext, lose: Say): Record<string, unknown> | undefined {
  const { notes } = ctx;
  const node = p.entries.get('shutdown')?.value;
  if (node === undefined || node.kind !== 'map') return undefined;
  const out: Record<string, unknown> = {};
  const cmd = text(node.entries.get('command')?.value, '`shutdown.command`', notes);
  if (cmd !== undefined && cmd.trim() !== '') {
    const loc = node.entries.get('command')!.value.loc;
    out['command'] = commandFor(pcText(cmd, { envExpansion: ctx.envExpansion, warn: (m) => notes.warn('import-approximated', `process \`${name}\`: ${m}`, loc) }), ctx.shell);
  }
  const signal = node.entries.get('signal');
  if (signal && out['command'] === undefined) {
    const raw = signal.value.kind === 'scalar' ? signal.value.value : null;
    const sig = typeof raw === 'number' || typeof raw === 'string' ? signalName(raw) : undefined;
    if (sig === undefined) lose('shutdown.signal', `orchestra cannot send signal ${String(raw)}; it sends SIGTERM`, signal.key);
    else if (sig !== 'SIGTERM') out['signal'] = sig;
  }
  const timeout = number(node.entries.get('timeout_seconds')?.value, '`shutdown.timeout_seconds`', notes);
  if (timeout !== undefined && timeout !== 10) out['timeout'] = seconds(timeout);
  if (boolean(node.entries.get('parent_only')?.value, '`shutdown.parent_only`', notes) === true) out['mode'] = 'main';
  return Object.keys(out).length > 0 ? out : undefined;
}
