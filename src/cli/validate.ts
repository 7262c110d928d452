/** `orchestra validate`: load the manifest and report; exit 0 when valid, 1 otherwise. */

import { loadForCommand } from './load.js';
import type { ManifestFlags } from './options.js';

/** Runs the command and returns its exit code. */
export async function runValidate(flags: ManifestFlags & { json?: boolean }): Promise<number> {
  const loaded = await loadForCommand(flags, { json: flags.json === true });
  const plan = loaded.plan;
  if (flags.json) {
    const summary = plan
      ? { agents: plan.agents.length, instances: plan.instances.length }
      : undefined;
    process.stdout.write(
      JSON.stringify({ valid: plan !== undefined, ...(summary ? { summary } : {}), diagnostics: loaded.jsonDiagnostics }, null, 2) + '\n',
    );
    return plan ? 0 : 1;
  }
  if (!plan) return 1;
  const instances = plan.instances.length;
  const agents = plan.agents.length;
  const env = plan.environment ? ` (environment ${plan.environment})` : '';
  process.stdout.write(
    `${plan.name}: valid${env}, ${agents} ${agents === 1 ? 'agent' : 'agents'}, ${instances} ${instances === 1 ? 'instance' : 'instances'}\n`,
  );
  return 0;
}
