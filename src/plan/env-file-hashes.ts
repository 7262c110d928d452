/**
 * Reads the env files a Plan names and hashes their contents, so the pure
 * planner can tell that `.env.api` changed without reading it. The one place
 * in src/plan/ that touches the disk, and it only reads.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Plan } from './spec.js';

/**
 * sha256 (hex) of every env file and every `reload.on_change` file of every
 * instance, keyed by absolute path; unreadable files are left out. (One map
 * for both: the wire format and revisions carry it as `envFileHashes`.)
 */
export async function hashEnvFiles(plan: Pick<Plan, 'instances'>): Promise<Map<string, string>> {
  const files = [...new Set(plan.instances.flatMap((s) => [...s.envFiles, ...(s.reload?.onChange ?? [])]))];
  const hashes = new Map<string, string>();
  await Promise.all(
    files.map(async (file) => {
      try {
        hashes.set(file, sha256(await readFile(file)));
      } catch {
        // A file that vanished shows as `(unreadable)` in the plan; the loader reports why.
      }
    }),
  );
  return new Map([...hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Hex sha256 of some bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
