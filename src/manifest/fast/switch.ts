/**
 * The switch for the loader's fast paths (the YAML subset reader and the
 * template subset, both in this folder). `ORCHESTRA_FULL_PARSERS=1` forces
 * the full parsers (`yaml`, Handlebars) for every file and string: to rule a
 * fast path out when something parses oddly, and so the differential tests
 * can run the whole loader both ways. Why the fast paths exist, and what
 * they measured, is in docs/decisions.md.
 */

/** The environment variable that, set to anything but `0` or empty, forces the full parsers. */
export const FULL_PARSERS_VARIABLE = 'ORCHESTRA_FULL_PARSERS';

/** True unless the environment asks for the full parsers; read on every call, so a test can flip it. */
export function fastPathsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[FULL_PARSERS_VARIABLE];
  return value === undefined || value === '' || value === '0';
}
