// Writes a synthetic manifest with `count` agents into `dir`: templates with
// extends, defaults, an environment overlay, vars and Handlebars per replica,
// and a deep dependency DAG (each agent depends on up to three earlier ones).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Generates the manifest; returns its path. */
export function generateManifest(dir, count = 1000) {
  mkdirSync(dir, { recursive: true });
  const lines = [
    'version: 1',
    'name: bench',
    'vars: { base_port: 20000, region: local }',
    'defaults:',
    '  restart: { when: on-failure, strategy: exponential, delay: 500ms, max_delay: 30s }',
    '  stop: { signal: SIGTERM, timeout: 5s }',
    'templates:',
    '  base:',
    '    command: ["node", "agents/{{agent.name}}.js"]',
    '    env: { REGION: "{{vars.region}}", NODE_ENV: "${NODE_ENV:-production}" }',
    '  http:',
    '    extends: base',
    '    readiness: { http: "http://127.0.0.1:{{add vars.base_port replica.index}}/health", interval: 500ms }',
    '    liveness: { http: "http://127.0.0.1:{{add vars.base_port replica.index}}/health", interval: 5s }',
    '    thresholds: { memory: { warn: 200MiB, critical: 400MiB, for: 10s }, cpu: { warn: 80%, critical: 95% } }',
    '  worker:',
    '    extends: [base]',
    '    env: { QUEUE: "jobs-{{agent.instance}}" }',
    'agents:',
  ];
  for (let i = 0; i < count; i++) {
    const deps = [];
    for (const step of [1, 7, 31]) if (i - step >= 0 && (i + step) % 3 !== 0) deps.push(`a${i - step}: ${step === 1 ? 'started' : 'ready'}`);
    lines.push(`  a${i}:`);
    lines.push(`    extends: ${i % 2 === 0 ? 'http' : 'worker'}`);
    lines.push(`    description: Agent number ${i}`);
    lines.push(`    env: { INDEX: "${i}", PORT: "{{add ${20000 + i * 10} replica.index}}" }`);
    if (deps.length > 0) lines.push(`    depends_on: { ${deps.join(', ')} }`);
    if (i % 10 === 0) lines.push('    priority: 10');
  }
  lines.push('environments:', '  production:', '    vars: { region: eu-west }', '    defaults: { stop: { timeout: 20s } }', '    agents:');
  for (let i = 0; i < count; i += 50) lines.push(`      a${i}: { env: { TIER: "gold" } }`);
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
