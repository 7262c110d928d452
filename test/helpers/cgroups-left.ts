/**
 * The check that a test left no cgroup behind: after a test's own teardown
 * (engine kill and dispose, or `orchestra down`), the project's cgroup must
 * be gone. A spawn still in flight may finish its cleanup a little later, so
 * the check waits for it (bounded); whatever is
 * still there then is killed and removed, so the machine stays clean, and
 * the test fails naming it.
 */

import { existsSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectCgroupDir } from '../../src/supervise/cgroup-boundary.js';

/** Throws (failing the test whose teardown calls it) when the state directory's project cgroup outlives `ms`; removes it first. */
export async function assertNoCgroupLeft(stateDir: string, ms = 10_000): Promise<void> {
  const dir = projectCgroupDir(stateDir);
  if (dir === undefined) return;
  const deadline = Date.now() + ms;
  while (existsSync(dir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(dir)) return;
  const left = cgroupTree(dir);
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // gone meanwhile
  }
  const until = Date.now() + 5000;
  for (const d of left.reverse()) {
    while (Date.now() < until) {
      try {
        rmdirSync(d);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
        await new Promise((r) => setTimeout(r, 20)); // EBUSY while killed processes exit
      }
    }
  }
  throw new Error(`the test left cgroups behind (now removed): ${left.join(', ')}`);
}

/** A cgroup and every cgroup below it, parents first. */
function cgroupTree(dir: string): string[] {
  const out = [dir];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...cgroupTree(join(dir, e.name)));
  } catch {
    // gone meanwhile
  }
  return out;
}
