/**
 * Units of the manifest: durations, sizes and percentages, parsed to numbers.
 * Pure; returns undefined for malformed input so callers can build a located
 * diagnostic.
 */

const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/y;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `250ms`, `10s`, `1m30s`, `2h` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const start = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * (DURATION_MS[m[2]!] ?? NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** Parses `512KiB`, `400MiB`, `1GB` into bytes. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_BYTES[m[2]!]!);
}

const PERCENT = /^([0-9]+(?:\.[0-9]+)?)%$/;

/** Parses `80%` into 80. */
export function parsePercent(text: string): number | undefined {
  const m = PERCENT.exec(text);
  return m ? Number(m[1]) : undefined;
}

const DURATION_UNITS = ['h', 'm', 's'] as const;
const DURATION_SIZES = [3_600_000, 60_000, 1000] as const;

/** Formats milliseconds the way a manifest would write them (`1m30s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  // A plain loop over constants: the status page formats a few hundred of these per write, interpreted (lite mode).
  let out = '';
  let rest = Math.round(ms);
  for (let k = 0; k < DURATION_SIZES.length; k++) {
    const size = DURATION_SIZES[k]!;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${DURATION_UNITS[k]}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}

/** Formats bytes with a binary unit, e.g. `12.5MiB`. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text = i === 0 ? String(Math.round(value)) : value.toFixed(value >= 100 ? 0 : 1).replace(/\.0$/, '');
  return `${text}${units[i]}`;
}
