/**
 * Paths in an imported manifest: the source tools resolve relative paths
 * against their own working directory (the source file's folder, as they are
 * normally run), orchestra against the manifest's folder. Pure path maths.
 */

import path from 'node:path';

/** Where things are: the source file's folder and the folder the manifest is written to. */
export interface Folders {
  sourceDir: string;
  outDir: string;
}

/** `p` (relative to the source folder, or absolute) as orchestra should write it, relative to the manifest's folder. */
export function rebase(p: string, folders: Folders): string {
  if (path.isAbsolute(p) || p.startsWith('$') || p.startsWith('~')) return p;
  const rel = path.relative(folders.outDir, path.resolve(folders.sourceDir, p));
  return rel === '' ? '.' : rel;
}

/** The `cwd` an agent needs to run where the source tool would run it by default (its own folder), or undefined when that is the manifest's folder. */
export function defaultCwd(folders: Folders): string | undefined {
  const rel = path.relative(folders.outDir, folders.sourceDir);
  return rel === '' ? undefined : rel;
}
