/**
 * Resource sampling: one pidusage call per interval for every pid of every
 * agent tree, then summed per tree. The Sampler is an interface so tests (and
 * the daemon's own tests) can feed values. Measures only; thresholds.ts judges.
 */

import pidusage from 'pidusage';

export interface Usage {
  /** Percent of one core. */
  cpu: number;
  /** Resident set size, bytes. */
  rss: number;
}

export interface Sampler {
  /** Usage of each pid that could be measured; missing pids simply vanished. */
  sample(pids: readonly number[]): Promise<Map<number, Usage>>;
  /** Releases any cached state (pidusage keeps per-pid history for cpu deltas). */
  close?(): void;
}

const HISTORY_MS = 10_000;

/** The real sampler: one batched pidusage call. */
export function pidusageSampler(): Sampler {
  return {
    async sample(pids) {
      const out = new Map<number, Usage>();
      if (pids.length === 0) return out;
      let stats: Record<string, pidusage.Status | undefined>;
      try {
        // pidusage keeps per-pid history (and an open /proc file) for `maxage`; the default
        // 60 s piles up descriptors when agents churn, so keep only a few rounds.
        stats = await pidusage([...pids], { maxage: HISTORY_MS });
      } catch {
        // A batch fails as a whole when one pid vanished mid-read; fall back to one call per pid.
        stats = {};
        await Promise.all(
          pids.map(async (p) => {
            try {
              stats[p] = await pidusage(p, { maxage: HISTORY_MS });
            } catch {
              // gone
            }
          }),
        );
      }
      for (const [pid, s] of Object.entries(stats)) if (s) out.set(Number(pid), { cpu: s.cpu, rss: s.memory });
      return out;
    },
    close() {
      pidusage.clear();
    },
  };
}

/** Sums per-pid usage into per-tree usage: tree name → pids → total. */
export function sumTrees(trees: ReadonlyMap<string, readonly number[]>, usage: ReadonlyMap<number, Usage>): Map<string, Usage> {
  const out = new Map<string, Usage>();
  for (const [name, pids] of trees) {
    let cpu = 0;
    let rss = 0;
    for (const p of pids) {
      const u = usage.get(p);
      if (u) (cpu += u.cpu), (rss += u.rss);
    }
    out.set(name, { cpu, rss });
  }
  return out;
}
