/**
 * Whether the built dist/ is current for the supervision code, so tests that
 * run a child process can run compiled JavaScript (seconds faster than
 * compiling TypeScript in every child). `npm test` builds first; a developer
 * running one folder after editing sources gets the TypeScript path instead.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `dist/<rel>` exists and is newer than every TypeScript source under src/. */
export function builtIsCurrent(rel: string): boolean {
  try {
    return statSync(join(ROOT, 'dist', rel)).mtimeMs >= newestSource(join(ROOT, 'src'));
  } catch {
    return false;
  }
}
