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

/** Roots of the file system an image has of its own; a path elsewhere is most likely the host's. */
const IMAGE_ROOTS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/dev', '/proc', '/sys', '/run', '/var', '/opt', '/srv', '/tmp'];
const ABSOLUTE_PATH = /(?:^|[\s=:,"'])(\/[A-Za-z0-9._+@%-][^\s"',:;]*)/g;

/**
 * Warns about what a command or env value carries from the host into a
 * container unchanged: a loopback address whose port no other agent serves
 * (inside a container it is the container itself, and nothing listens there),
 * and an absolute path of the host (the project directory, a home, a mount)
 * that the image does not have. Names the field, never the value: it may hold
 * a secret.
 */
export function warnHostValues(
  plan: Plan,
  spec: AgentSpec,
  owners: ReadonlyMap<number, string>,
  warnings: ExportWarnings,
  options: ExportOptions,
): void {
  const root = options.containerRoot ?? '/app';
  const fields: [string, string][] = [
    ...spec.command.map((arg): [string, string] => ['command', arg]),
    ...Object.entries(spec.env).map(([k, v]): [string, string] => [`env.${k}`, v]),
  ];
  for (const [field, value] of fields) {
    for (const m of value.matchAll(LOOPBACK_ADDRESS)) {
      const owner = owners.get(Number(m[2]));
      if (owner !== undefined) continue;
      warnings.warn(
        'export-loopback',
        spec.agent,
        field,
        `\`${field}\` names ${m[1]}:${m[2]}, which no agent of the project serves; inside a container that address is the container itself`,
        'run that service as an agent of the manifest, or point the value at a host the container can reach',
      );
    }
    for (const m of value.matchAll(ABSOLUTE_PATH)) {
      const p = m[1]!;
      if (p === root || p.startsWith(`${root}/`) || IMAGE_ROOTS.some((r) => p === r || p.startsWith(`${r}/`))) continue;
      const inProject = p === plan.baseDir || p.startsWith(`${plan.baseDir}${path.sep}`);
      warnings.warn(
        'export-host-path',
        spec.agent,
        field,
        inProject
          ? `\`${field}\` holds the host path ${p}; the project is at ${root} in the container`
          : `\`${field}\` holds the host path ${p}, which the image does not have`,
        inProject ? 'write the path relative to the agent\'s cwd' : 'mount it into the container, or use a path of the image',
      );
    }
  }
}
