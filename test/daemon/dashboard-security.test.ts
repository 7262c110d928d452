import t from 'tap';
import { matchRoute } from '../../src/daemon/dashboard-routes.js';
import { generateNonce, generateToken, hostAllowed, originAllowed, pagePolicy, tokenMatches, tokenProblem } from '../../src/daemon/dashboard-security.js';

t.test('tokens', async (t) => {
  const token = generateToken();
  t.match(token, /^[0-9a-f]{64}$/);
  t.not(generateToken(), token);
  t.ok(tokenMatches(token, token));
  t.notOk(tokenMatches(undefined, token));
  t.notOk(tokenMatches('', token));
  t.notOk(tokenMatches(token.slice(0, -1), token), 'a prefix');
  t.notOk(tokenMatches(token + '0', token), 'an extension');
  t.notOk(tokenMatches(token.toUpperCase(), token), 'case matters');
  t.equal(tokenProblem(token), undefined);
  t.match(tokenProblem('abc'), /at least 32 characters/);
  t.match(tokenProblem('a'.repeat(40) + ' '), /at least 32 characters of/);
  t.not(generateNonce(), generateNonce());
});

t.test('Host must name this server on loopback', async (t) => {
  t.ok(hostAllowed('127.0.0.1:8080', 8080));
  t.ok(hostAllowed('LOCALHOST:8080', 8080));
  t.notOk(hostAllowed(undefined, 8080));
  t.notOk(hostAllowed('127.0.0.1', 8080), 'port required');
  t.notOk(hostAllowed('127.0.0.1:8081', 8080));
  t.notOk(hostAllowed('attacker.example:8080', 8080), 'DNS rebinding');
  t.notOk(hostAllowed('0.0.0.0:8080', 8080));
});

t.test('Origin, when sent, must be this server', async (t) => {
  t.ok(originAllowed(undefined, 9000), 'non-browser clients send none');
  t.ok(originAllowed('http://127.0.0.1:9000', 9000));
  t.ok(originAllowed('http://localhost:9000', 9000));
  t.notOk(originAllowed('null', 9000));
  t.notOk(originAllowed('https://127.0.0.1:9000', 9000));
  t.notOk(originAllowed('http://127.0.0.1:9001', 9000));
  t.notOk(originAllowed('http://evil.example', 9000));
});

t.test('the page policy allows only its nonce', async (t) => {
  const csp = pagePolicy('N0nce');
  t.match(csp, "script-src 'nonce-N0nce'");
  t.match(csp, "style-src 'nonce-N0nce'");
  t.match(csp, "default-src 'none'");
  t.match(csp, "connect-src 'self'");
  t.notMatch(csp, 'unsafe');
});

t.test('routes', async (t) => {
  t.match(matchRoute('/'), { ok: true, route: { kind: 'page' }, method: 'GET', queryToken: true });
  t.match(matchRoute('/api/events'), { ok: true, method: 'GET', queryToken: true });
  t.match(matchRoute('/api/status'), { ok: true, method: 'GET', queryToken: false });
  t.match(matchRoute('/api/kill'), { ok: true, route: { kind: 'kill' }, method: 'POST', queryToken: false });
  t.match(matchRoute('/api/all/restart'), { ok: true, route: { kind: 'all-action', verb: 'restart' } });
  t.match(matchRoute('/api/agents/api-0/stop'), { ok: true, route: { kind: 'agent-action', name: 'api-0', verb: 'stop' } });
  t.match(matchRoute('/api/agents/a%20b/start'), { ok: true, route: { name: 'a b' } });
  t.match(matchRoute('/api/agents//start'), { ok: false, status: 400 });
  t.match(matchRoute('/api/agents/%E0%A4%A/start'), { ok: false, status: 400 });
  t.match(matchRoute('/api/agents/x/explode'), { ok: false, status: 404 });
  t.match(matchRoute('/api/agents/x/y/stop'), { ok: false, status: 404 });
  t.match(matchRoute('/etc/passwd'), { ok: false, status: 404 });
});

