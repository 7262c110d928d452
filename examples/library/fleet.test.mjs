// An integration suite that needs real servers: the quickstart fleet (a
// key-value store, a migration, an HTTP API, two workers) is brought up
// before the tests and down after them.
//   node --test examples/library/fleet.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet } from 'orchestra';

const manifest = new URL('../quickstart/orchestra.yaml', import.meta.url).pathname;
const storePort = process.env.STORE_PORT ?? '7401';
const apiPort = process.env.API_PORT ?? '7480';
let fleet;

before(async () => {
  fleet = await Fleet.up(manifest, {
    set: [`vars.store_port=${storePort}`, `vars.api_port=${apiPort}`],
    stateDir: mkdtempSync(join(tmpdir(), 'fleet-')),
  });
});

after(async () => {
  await fleet?.down();
});

test('the migration ran before the API came up', async () => {
  const res = await fetch(`http://127.0.0.1:${apiPort}/kv/schema_version`);
  assert.equal(res.status, 200);
  assert.equal((await res.text()).trim(), '3');
});

test('every instance is up', () => {
  const states = Object.fromEntries(fleet.status().map((i) => [i.name, i.state]));
  assert.deepEqual(states, { store: 'running', migrate: 'exited', api: 'running', 'worker-0': 'running', 'worker-1': 'running' });
});

test('the API comes back after a restart', async () => {
  await fleet.restart('api');
  const res = await fetch(`http://127.0.0.1:${apiPort}/health`);
  assert.equal(res.status, 200);
});
