/**
 * The sampler orchestra used before it read /proc itself (docs/decisions.md,
 * "CPU and memory come from /proc, not pidusage"), kept only so the idle
 * benchmark can compare against it: `SAMPLER=pidusage`. One batched
 * pidusage call per round; pidusage reads every pid again and keeps its own
 * history. Same shape as a Sampler of src/supervise/sampler.ts.
 */
import pidusage from 'pidusage';

const HISTORY_MS = 10_000;

/** A Sampler backed by pidusage. */
export function pidusageSampler() {
  return {
    async sample(pids) {
      const out = new Map();
      if (pids.length === 0) return out;
      let stats;
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
