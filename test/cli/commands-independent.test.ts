/**
 * No CLI command imports another command: shared behaviour lives in helper
 * modules (apply-flow.ts, daemon-context.ts, load.ts, options.ts). A command
 * is a module main.ts loads to run one (`await import('./x.js')`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const cli = fileURLToPath(new URL('../../src/cli/', import.meta.url));
const main = readFileSync(`${cli}main.ts`, 'utf8');
const commands = new Set([...main.matchAll(/await import\('\.\/([\w-]+)\.js'\)/g)].map((m) => m[1]!));

t.ok(commands.has('apply') && commands.has('plan') && commands.has('history') && commands.has('control'), 'the commands are found');
for (const command of commands) {
  const source = readFileSync(`${cli}${command}.ts`, 'utf8');
  const imported = [...source.matchAll(/(?:from|import\()\s*'\.\/([\w-]+)\.js'/g)].map((m) => m[1]!);
  t.same(imported.filter((m) => commands.has(m)), [], `${command}.ts imports no other command`);
}
