import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DEFERRED_CA_VAR, deferExtraCa, restoreExtraCa } from '../../src/util/deferred-ca.js';
import { Project } from '../cli/project.js';
import { until } from '../helpers/until.js';

// The https side (a webhook to a server whose certificate only NODE_EXTRA_CA_CERTS trusts, through a daemon that
// deferred reading it) runs for real in test/daemon/webhook.test.ts.

t.test('deferExtraCa renames the variable; restoreExtraCa puts it back', async (t) => {
  const env = { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
  const deferred = deferExtraCa(env);
  t.same(deferred, { PATH: '/bin', [DEFERRED_CA_VAR]: '/etc/ca.pem' });
  t.equal(env.NODE_EXTRA_CA_CERTS, '/etc/ca.pem', 'the given environment is not changed');
  restoreExtraCa(deferred);
  t.same(deferred, { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
  t.same(deferExtraCa({ PATH: '/bin' }), { PATH: '/bin' }, 'nothing to defer');
  const systemStore = { NODE_EXTRA_CA_CERTS: '/etc/ca.pem', NODE_OPTIONS: '--use-openssl-ca' };
  t.equal(deferExtraCa(systemStore), systemStore, 'not with the system store: the deferred trust builds on the bundled roots');
});

t.test('the daemon starts without NODE_EXTRA_CA_CERTS and its agents still get it', async (t) => {
  const ca = join(t.testdir(), 'ca.pem');
  writeFileSync(ca, '');
  const yaml = ['version: 1', 'name: test', 'agents:', '  a:', `    command: ["sh", "-c", "echo ca=$NODE_EXTRA_CA_CERTS; exec sleep 60"]`, '    inherit_env: true'];
  const p = new Project(t, yaml.join('\n') + '\n', { NODE_EXTRA_CA_CERTS: ca });
  const applied = p.cli('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const environ = readFileSync(`/proc/${p.daemonPid()}/environ`, 'latin1').split('\0');
  t.notOk(environ.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS=')), 'Node did not read the file at the daemon’s start');
  t.ok(environ.includes(`${DEFERRED_CA_VAR}=${ca}`), 'it was handed over deferred');
  const log = join(p.stateDir, 'logs', 'a.log');
  await until(() => readFileSync(log, 'utf8').includes('ca='), 'the agent’s line');
  t.match(readFileSync(log, 'utf8'), `ca=${ca}\n`, 'the agent inherits it as the CLI had it');
});
