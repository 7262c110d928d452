/**
 * Sparklines: turns a series of samples into the `points` of an inline SVG
 * polyline. Pure and numeric only; the template draws the SVG, so no user
 * text ever passes through here.
 */

export interface Sparkline {
  /** `x,y x,y …` in the box's coordinates, y grows downwards. */
  points: string;
  /** The closed area under the line, for a light fill. */
  area: string;
  width: number;
  height: number;
  min: number;
  max: number;
  latest: number;
  count: number;
}

export interface SparklineOptions {
  width: number;
  height: number;
  /** The value drawn at the top edge; defaults to the series maximum. Never below the maximum. */
  ceiling?: number;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Scales `values` (oldest first) into a width × height box, level stretches drawn by their ends; undefined for fewer than two finite samples. */
export function sparkline(values: readonly number[], options: SparklineOptions): Sparkline | undefined {
  const samples = values.filter((v) => Number.isFinite(v));
  if (samples.length < 2) return undefined;
  const { width, height } = options;
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  // A flat series at zero still needs a non-zero range, or every y is NaN.
  const top = Math.max(options.ceiling ?? max, max, Number.EPSILON);
  // Leave one unit at top and bottom so a 1px stroke is never clipped.
  const inner = height - 2;
  const step = width / (samples.length - 1);
  const ys = samples.map((v) => round(1 + inner - (Math.max(v, 0) / top) * inner));
  const last = ys.length - 1;
  // A point inside a level stretch lies on the line between its neighbours: leaving it out draws the same line,
  // and an idle agent's series is mostly such stretches (at 90 points a line, their coordinates were half an idle page).
  const coords: string[] = [];
  for (let i = 0; i <= last; i++) if (i === 0 || i === last || ys[i] !== ys[i - 1] || ys[i] !== ys[i + 1]) coords.push(`${round(i * step)},${ys[i]}`);
  const points = coords.join(' ');
  const area = `0,${height} ${points} ${round(width)},${height}`;
  return { points, area, width, height, min, max, latest: samples[samples.length - 1]!, count: samples.length };
}
