/** `orchestra graph`: the dependency graph as text, dot or mermaid. */

import { renderGraphDot, renderGraphMermaid, renderGraphText } from '../report/graph.js';
import { loadForCommand } from './load.js';
import type { ManifestFlags } from './options.js';

/** Runs the command and returns its exit code. */
export async function runGraph(flags: ManifestFlags & { format: 'text' | 'dot' | 'mermaid' }): Promise<number> {
  const loaded = await loadForCommand(flags, { quietWarnings: true });
  if (!loaded.plan) return 1;
  const render = { text: renderGraphText, dot: renderGraphDot, mermaid: renderGraphMermaid }[flags.format];
  process.stdout.write(render(loaded.plan));
  return 0;
}
