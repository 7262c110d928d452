import t from 'tap';
import { didYouMean, editDistance } from '../../src/manifest/suggest.js';

t.test('editDistance counts a swap of neighbours as one edit', async (t) => {
  t.equal(editDistance('redis', 'redis'), 0);
  t.equal(editDistance('redsi', 'redis'), 1);
  t.equal(editDistance('depend_on', 'depends_on'), 1);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('didYouMean', async (t) => {
  t.equal(didYouMean('redsi', ['api', 'redis', 'worker']), 'redis');
  t.equal(didYouMean('depend_on', ['depends_on', 'description', 'disabled']), 'depends_on');
  t.equal(didYouMean('Redis', ['redis']), 'redis', 'case is free');
  t.equal(didYouMean('db', ['api', 'redis']), undefined, 'short words need a close match');
  t.equal(didYouMean('completely-different', ['api', 'redis']), undefined);
  t.equal(didYouMean('api', ['api']), undefined, 'an exact match is not a suggestion');
  t.equal(didYouMean('x', []), undefined);
});
