import t from 'tap';
import { isSecretKey, maskDeep, maskedEnv, maskText, MIN_MASKED_LENGTH, secretEnvKeys, secretValues, valuesToMask } from '../../src/plan/secrets.js';

t.test('a key is secret when listed or when its name says so', async (t) => {
  for (const key of ['API_TOKEN', 'db_password', 'PASSWD', 'STRIPE_APIKEY', 'API_KEY', 'PRIVATE_PEM', 'MY_SECRET']) t.ok(isSecretKey(key, []), key);
  t.notOk(isSecretKey('PORT', []));
  t.ok(isSecretKey('DATABASE_URL', ['DATABASE_URL']));
  t.same(secretEnvKeys({ env: { PORT: '1', A_TOKEN: 'x', URL: 'y' }, secretKeys: ['URL'] }), ['A_TOKEN', 'URL']);
});

t.test('a secret key\'s own value is masked whatever its length', async (t) => {
  t.same(maskedEnv({ env: { A_TOKEN: '1', PORT: '80', URL: 'abcdef' }, secretKeys: ['URL'] }), { A_TOKEN: '***', PORT: '80', URL: '***' });
});

t.test('values are hunted in other text from the minimum length up, longest first', async (t) => {
  const values = secretValues([{ env: { A: 'ab', B: 'abc', C: 'abcdef', D: 'plain-abc' }, secretKeys: ['A', 'B', 'C'] }]);
  t.equal(MIN_MASKED_LENGTH, 3);
  t.same(values, ['abcdef', 'abc']);
  t.equal(maskText('x abcdefg abc ab', values), 'x ***g *** ab');
  t.same(valuesToMask(['abc', 'abc', 'xy', 'wxyz']), ['wxyz', 'abc']);
});

t.test('deep masking keeps keys and non-strings, and returns the same value when there is nothing to hunt', async (t) => {
  const value = { 'key-abc': ['--t=abc', 3, null, { u: 'http://u:abc@h' }] };
  t.same(maskDeep(value, ['abc']), { 'key-abc': ['--t=***', 3, null, { u: 'http://u:***@h' }] });
  t.equal(maskDeep(value, []), value);
});
