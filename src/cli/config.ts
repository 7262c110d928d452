/** `orchestra config`: print the resolved manifest, secrets masked unless asked. */

import { stringify } from 'yaml';
import { resolvedManifest } from '../manifest/resolved.js';
import { loadForCommand } from './load.js';
import type { ManifestFlags } from './options.js';

/** Runs the command and returns its exit code. */
export async function runConfig(flags: ManifestFlags & { json?: boolean; showSecrets?: boolean }): Promise<number> {
  const loaded = await loadForCommand(flags);
  if (!loaded.plan) return 1;
  const resolved = resolvedManifest(loaded.plan, { showSecrets: flags.showSecrets === true });
  process.stdout.write(flags.json ? JSON.stringify(resolved, null, 2) + '\n' : stringify(resolved, { lineWidth: 0 }));
  return 0;
}
