/**
 * What the container targets (kubernetes, compose) share: the image, the
 * working directory inside the image, and addresses between agents, which on
 * one host were loopback and in containers are service names. Pure.
 */

import path from 'node:path';
import type { AgentSpec, Plan } from '../plan/spec.js';
import { agentPort, type AgentGroup } from './common.js';
import type { ExportOptions } from './types.js';
import type { ExportWarnings } from './warnings.js';

/** The agent's `x-export` extension, when it is a map. */
export function exportExtension(spec: AgentSpec): Record<string, unknown> {
  const ext = spec.extensions['x-export'];
  return typeof ext === 'object' && ext !== null && !Array.isArray(ext) ? (ext as Record<string, unknown>) : {};
}

/** The container image: `x-export.image`, else `--image`; reports an error when neither is set. */
export function containerImage(spec: AgentSpec, options: ExportOptions, warnings: ExportWarnings): string {
  const image = exportExtension(spec)['image'];
  if (typeof image === 'string' && image !== '') return image;
  if (options.image !== undefined && options.image !== '') return options.image;
  warnings.error(
    'export-no-image',
    spec.agent,
    'x-export.image',
    'no container image: set `x-export: { image: ... }` on the agent or pass `--image`',
  );
  return 'IMAGE-REQUIRED';
}

/**
 * The working directory inside a container: the agent's cwd relative to the
 * manifest directory, under the container root (`/app` by default).
 */
export function containerWorkdir(plan: Plan, spec: AgentSpec, options: ExportOptions, warnings: ExportWarnings): string {
  const root = options.containerRoot ?? '/app';
  const relative = path.relative(plan.baseDir, spec.cwd);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    warnings.approximated(spec.agent, 'cwd', `it lies outside the project directory, so the host path \`${spec.cwd}\` is used inside the container`);
    return spec.cwd;
  }
  return relative === '' ? root : path.posix.join(root, ...relative.split(path.sep));
}

const LOOPBACK_ADDRESS = /(127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|localhost|\[::1\]):([0-9]{1,5})\b/g;

/** Each port an agent serves on (as its probes tell), mapped to that agent. */
export function portOwners(groups: readonly AgentGroup[]): Map<number, string> {
  const owners = new Map<number, string>();
  for (const g of groups) {
    const port = agentPort(g.spec);
    if (port !== undefined && !owners.has(port)) owners.set(port, g.agent);
  }
  return owners;
}

/**
 * In a container, `127.0.0.1:7401` is the container itself, not the agent
 * that served that port on the shared host. A loopback `host:port` whose port
 * belongs to another agent becomes `<that agent's host name>:port`.
 */
export function rewriteLoopback(value: string, owners: ReadonlyMap<number, string>, self: string, hostOf: (agent: string) => string): string {
  return value.replace(LOOPBACK_ADDRESS, (whole, _host: string, port: string) => {
    const owner = owners.get(Number(port));
    return owner === undefined || owner === self ? whole : `${hostOf(owner)}:${port}`;
  });
}
