import t from 'tap';
import { DAEMON_NODE_FLAGS_VAR, DEFAULT_DAEMON_NODE_FLAGS, daemonNodeFlags } from '../../src/daemon/daemon-flags.js';

t.test('the daemon gets lite mode, then the flags the variable lists', async (t) => {
  t.same(DEFAULT_DAEMON_NODE_FLAGS, ['--lite-mode', '--no-expose-wasm', '--no-memory-reducer-for-small-heaps', '--memory-reducer-single-gc', '--single-threaded-gc']);
  t.same(daemonNodeFlags({}), DEFAULT_DAEMON_NODE_FLAGS);
  t.same(daemonNodeFlags({ [DAEMON_NODE_FLAGS_VAR]: '' }), DEFAULT_DAEMON_NODE_FLAGS, 'empty: the defaults alone');
  t.same(daemonNodeFlags({ [DAEMON_NODE_FLAGS_VAR]: ' --max-semi-space-size=1  --stack-trace-limit=50 ' }), [
    ...DEFAULT_DAEMON_NODE_FLAGS,
    '--max-semi-space-size=1',
    '--stack-trace-limit=50',
  ]);
  t.same(daemonNodeFlags({ [DAEMON_NODE_FLAGS_VAR]: '--no-lite-mode' }).at(-1), '--no-lite-mode', 'last, so it overrides the default');
});
