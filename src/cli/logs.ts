/**
 * `orchestra logs [AGENT…] [-f] [--tail N]`: prints the agents' log files
 * from the state directory, prefixed with the instance name when there are
 * several; `-f` follows them across rotations. Reads files only. Secret
 * values any kept revision holds (the state directory's secret store) are
 * masked in every line, since agents print what they like. The first lines
 * shown are read from the end of each file (log-tail.ts).
 */

import { open, readdir, stat } from 'node:fs/promises';
import pc from 'picocolors';
import { getRevision, latestRevision } from '../daemon/revisions.js';
import { readSecretValues } from '../daemon/secret-store.js';
import { loadState } from '../daemon/state-store.js';
import { didYouMean } from '../manifest/suggest.js';
import { maskText, valuesToMask } from '../plan/secrets.js';
import { resolveStatePaths, type StateFlags } from './daemon-context.js';
import { readTail } from './log-tail.js';
import { useColor } from './options.js';

type LogFlags = StateFlags & { follow?: boolean; tail?: string };

const PALETTE = [pc.cyan, pc.magenta, pc.yellow, pc.green, pc.blue];

/** The last `n` lines of a text. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return n >= lines.length ? lines : lines.slice(lines.length - n);
}

async function readFrom(file: string, offset: number): Promise<{ text: string; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    // A smaller file than we read means it was rotated (copy-truncate): start over.
    const from = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return { text: buffer.toString('utf8'), size };
  } finally {
    await handle.close();
  }
}

/**
 * The instances of each agent in the applied revision (the newest one when
 * none is applied), or undefined when no revision can be read: a name like
 * `api-2` is only known to be a replica of `api`, not an agent of its own, from
 * the plan.
 */
async function instancesByAgent(dir: string): Promise<Map<string, string[]> | undefined> {
  const state = await loadState(dir);
  const applied = state.ok ? state.value.state.appliedRevision : undefined;
  const revision = applied === undefined ? undefined : await getRevision(dir, applied);
  const plan = revision?.ok ? revision.value.plan : (await latestRevision(dir))?.plan;
  if (!plan) return undefined;
  const byAgent = new Map<string, string[]>();
  for (const i of plan.instances) byAgent.set(i.agent, [...(byAgent.get(i.agent) ?? []), i.name]);
  return byAgent;
}

/** The log files (instance names) `name` asks for: an agent's instances, or one instance; by file name alone when no plan is known. */
export function logsOf(name: string, available: readonly string[], byAgent: ReadonlyMap<string, readonly string[]> | undefined): string[] {
  const instances = byAgent?.get(name)?.filter((i) => available.includes(i)) ?? [];
  if (instances.length > 0) return instances;
  if (available.includes(name)) return [name];
  if (byAgent !== undefined) return [];
  const replica = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
  return available.filter((i) => replica.test(i));
}

/** Runs the command and returns its exit code. */
export async function runLogs(names: string[], flags: LogFlags): Promise<number> {
  const paths = resolveStatePaths(flags);
  const tail = flags.tail === undefined ? 100 : Number(flags.tail);
  if (!Number.isInteger(tail) || tail < 0) {
    process.stderr.write(`orchestra logs: invalid --tail "${flags.tail}": expected a whole number\n`);
    return 1;
  }
  const available = (await readdir(paths.logs).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.slice(0, -4))
    .sort();
  let instances = available;
  if (names.length > 0) {
    instances = [];
    const byAgent = await instancesByAgent(paths.dir);
    for (const name of names) {
      const matches = logsOf(name, available, byAgent);
      if (matches.length === 0) {
        const agents = [...new Set(available.map((i) => i.replace(/-\d+$/, '')))];
        const hint = didYouMean(name, [...available, ...agents]);
        process.stderr.write(`orchestra logs: no logs for "${name}"${hint ? `; did you mean "${hint}"?` : ''}\n`);
        return 1;
      }
      instances.push(...matches);
    }
  }
  if (instances.length === 0) {
    process.stderr.write(`orchestra logs: no logs yet in ${paths.logs}\n`);
    return 1;
  }
  const store = await readSecretValues(paths.dir);
  if (!store.ok) {
    process.stderr.write(`orchestra logs: ${store.error}; not printing logs that may hold secret values\n`);
    return 1;
  }
  let secrets = valuesToMask(store.value.values());
  const color = useColor();
  const width = Math.max(...instances.map((i) => i.length));
  const prefix = (name: string, n: number): string => {
    if (instances.length === 1) return '';
    const label = name.padEnd(width) + ' | ';
    return color ? PALETTE[n % PALETTE.length]!(label) : label;
  };
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const [n, name] of instances.entries()) {
    // From the end, in chunks: a huge log costs only the lines shown.
    const { text, size } = await readTail(paths.logFile(name), tail);
    offsets.set(name, size);
    const lines = lastLines(text, tail);
    // Following, a line the agent is still writing is finished by the next read: print it whole then.
    if (flags.follow && text !== '' && !text.endsWith('\n') && lines.length > 0) partial.set(name, lines.pop()!);
    for (const line of lines) process.stdout.write(prefix(name, n) + maskText(line, secrets) + '\n');
  }
  if (!flags.follow) return 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    for (const [n, name] of instances.entries()) {
      const file = paths.logFile(name);
      const size = (await stat(file).catch(() => undefined))?.size;
      if (size === undefined || size === offsets.get(name)) continue;
      // A later apply may have brought new secrets; the store is small, read it again.
      const fresh = await readSecretValues(paths.dir);
      if (fresh.ok) secrets = valuesToMask(fresh.value.values());
      const { text, size: newSize } = await readFrom(file, offsets.get(name) ?? 0);
      offsets.set(name, newSize);
      const chunk = (partial.get(name) ?? '') + text;
      const lines = chunk.split('\n');
      partial.set(name, lines.pop() ?? '');
      for (const line of lines) process.stdout.write(prefix(name, n) + maskText(line, secrets) + '\n');
    }
  }
}
