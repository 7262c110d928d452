/**
 * process-compose's `readiness_probe` and `liveness_probe` (Kubernetes-style:
 * `exec` or `http_get`, `initial_delay_seconds`, `period_seconds`,
 * `timeout_seconds`, `failure_threshold`) as orchestra probes. Its defaults
 * differ from orchestra's (period 10s, timeout 1s), so both are always
 * written. Pure.
 */

import type { ValueNode } from '../manifest/node.js';
import { seconds } from './draft.js';
import type { PcContext } from './process-compose-process.js';
import { pcText } from './process-compose-text.js';
import { number, text } from './read-values.js';
import { commandFor } from './text.js';

export interface ImportedProbe {
  probe: Record<string, unknown>;
  /** `failure_threshold` (default 3), for a liveness probe. */
  failures: number;
}

/** The orchestra probe for a process-compose probe, or undefined (with a warning) when it has neither `exec` nor `http_get`. */
export function pcProbe(
  node: ValueNode,
  kind: 'readiness' | 'liveness',
  where: { name: string; ctx: PcContext; vars: Map<string, string> },
): ImportedProbe | undefined {
  const { name, ctx, vars } = where;
  const { notes } = ctx;
  const what = `process \`${name}\`: \`${kind}_probe\``;
  if (node.kind !== 'map') {
    notes.warn('import-wrong-type', `${what} must be a mapping; left out`, node.loc);
    return undefined;
  }
  const render = (n: ValueNode | undefined, field: string): string | undefined => {
    const raw = text(n, `\`${field}\``, notes);
    return raw === undefined || n === undefined
      ? undefined
      : pcText(raw, { envExpansion: ctx.envExpansion, vars, warn: (m) => notes.warn('import-approximated', `${what}: ${m}`, n.loc) });
  };
  const probe: Record<string, unknown> = {};
  const exec = node.entries.get('exec')?.value;
  const http = node.entries.get('http_get')?.value;
  if (exec?.kind === 'map') {
    const command = render(exec.entries.get('command')?.value, 'exec.command');
    if (command !== undefined) probe['exec'] = commandFor(command, ctx.shell);
    const wd = exec.entries.get('working_dir');
    if (wd) notes.warn('import-unmapped', `${what}: \`exec.working_dir\` is not imported: orchestra runs probes in the agent's working directory`, wd.key);
  } else if (http?.kind === 'map') {
    const scheme = (render(http.entries.get('scheme')?.value, 'http_get.scheme') ?? 'http').toLowerCase();
    const host = render(http.entries.get('host')?.value, 'http_get.host') ?? '127.0.0.1';
    const port = render(http.entries.get('port')?.value, 'http_get.port');
    let path = render(http.entries.get('path')?.value, 'http_get.path') ?? '/';
    if (!path.startsWith('/')) path = `/${path}`;
    if (scheme !== 'http') {
      notes.warn('import-unmapped', `${what}: orchestra's http probe speaks plain http, not \`${scheme}\`; left out`, http.entries.get('scheme')?.key);
      return undefined;
    }
    probe['http'] = `http://${host}${port !== undefined ? `:${port}` : ''}${path}`;
    const headers = http.entries.get('headers');
    if (headers) notes.warn('import-unmapped', `${what}: \`http_get.headers\` are not imported: orchestra's http probe sends no extra headers`, headers.key);
    const status = number(http.entries.get('status_code')?.value, '`http_get.status_code`', notes);
    notes.warn(
      'import-approximated',
      `${what}: process-compose wants status ${status ?? 200} exactly; orchestra's http probe accepts any 2xx or 3xx answer`,
      http.entries.get('status_code')?.key ?? node.entries.get('http_get')?.key,
    );
  } else {
    notes.warn('import-unmapped', `${what} has neither \`exec\` nor \`http_get\`; left out`, node.loc);
    return undefined;
  }
  const delay = number(node.entries.get('initial_delay_seconds')?.value, '`initial_delay_seconds`', notes);
  if (delay !== undefined && delay > 0) probe['initial_delay'] = seconds(delay);
  probe['interval'] = seconds(number(node.entries.get('period_seconds')?.value, '`period_seconds`', notes) ?? 10);
  probe['timeout'] = seconds(number(node.entries.get('timeout_seconds')?.value, '`timeout_seconds`', notes) ?? 1);
  const success = node.entries.get('success_threshold');
  const successValue = number(success?.value, '`success_threshold`', notes);
  if (success && successValue !== undefined && successValue !== 1) {
    notes.warn('import-unmapped', `${what}: \`success_threshold\` is not imported: process-compose does not apply it either`, success.key);
  }
  const failures = number(node.entries.get('failure_threshold')?.value, '`failure_threshold`', notes) ?? 3;
  return { probe, failures };
}
