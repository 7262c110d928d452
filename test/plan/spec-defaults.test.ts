import t from 'tap';
import { specWithDefaults } from '../helpers/agent-spec.js';
import { instance, loadPlan } from '../manifest/fixtures/load-helpers.js';

t.test('the test helpers fill in exactly the defaults the loader does', async (t) => {
  const plan = await loadPlan(t, { 'orchestra.yaml': 'version: 1\nname: defaults\nagents:\n  a:\n    command: [node, a.js]\n' });
  const loaded = instance(plan, 'a');
  t.same(specWithDefaults({ name: 'a', command: loaded.command, cwd: loaded.cwd }), loaded);
});
