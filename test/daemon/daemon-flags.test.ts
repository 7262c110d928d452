import t from 'tap';
import { DAEMON_NODE_FLAGS_VAR, daemonNodeFlags } from '../../src/daemon/daemon-flags.js';

t.test('the daemon gets the flags the variable lists, none without it', async (t) => {
  t.same(daemonNodeFlags({}), []);
  t.same(daemonNodeFlags({ [DAEMON_NODE_FLAGS_VAR]: '' }), [], 'empty: no flags');
  t.same(daemonNodeFlags({ [DAEMON_NODE_FLAGS_VAR]: ' --max-semi-space-size=1  --stack-trace-limit=50 ' }), ['--max-semi-space-size=1', '--stack-trace-limit=50']);
});
