/**
 * The shapes every exporter shares: its options and its result. Data only;
 * the exporters themselves live one per target next to this file.
 */

import type { Diagnostic } from '../util/diagnostic.js';
import type { Plan } from '../plan/spec.js';

/** The engines `orchestra export` writes for. */
export const EXPORT_TARGETS = ['systemd', 'kubernetes', 'compose', 'nomad'] as const;

export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** One generated file; `path` is relative to the output directory. */
export interface ExportFile {
  path: string;
  content: string;
}

/**
 * What an exporter returns. `warnings` holds every field that did not map
 * (severity `warning`) and every problem that makes the output unusable
 * (severity `error`, e.g. a container target without an image).
 */
export interface ExportResult {
  files: ExportFile[];
  warnings: Diagnostic[];
}

/** Options of the exporters; each target reads only the ones it needs. */
export interface ExportOptions {
  /** Container image for agents without `x-export.image` (kubernetes, compose). */
  image?: string;
  /**
   * Turns a program name into an absolute path (systemd, nomad), e.g. by a
   * PATH search done by the caller; the exporters stay pure. Without it, or
   * when it returns undefined, the command runs through `/usr/bin/env`.
   */
  resolveProgram?: (program: string) => string | undefined;
  /**
   * The systemd version the units are for. Below 254, RestartSteps= and
   * RestartMaxDelaySec= are left out (with a warning). Default 254.
   */
  systemdVersion?: number;
  /** Where the project directory sits inside the container image. Default `/app`. */
  containerRoot?: string;
  /** MHz that Nomad counts for one full core when converting cpu %. Default 1000. */
  cpuMhzPerCore?: number;
}

/** A pure exporter: a Plan in, files and warnings out. */
export type Exporter = (plan: Plan, options?: ExportOptions) => ExportResult;
