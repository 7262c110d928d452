import t from 'tap';
import { byteSize, environmentItem, execLine, quoteExecWord, timeSpan, unitName } from '../../src/export/systemd-syntax.js';

t.test('plain words stay bare; others are double-quoted with C escapes', async (t) => {
  t.equal(quoteExecWord('/usr/bin/node'), '/usr/bin/node');
  t.equal(quoteExecWord('--port=8080'), '--port=8080');
  t.equal(quoteExecWord('two words'), '"two words"');
  t.equal(quoteExecWord(''), '""');
  t.equal(quoteExecWord('say "hi"'), '"say \\"hi\\""');
  t.equal(quoteExecWord('back\\slash'), '"back\\\\slash"');
  t.equal(quoteExecWord('line\nbreak\ttab'), '"line\\nbreak\\ttab"');
  t.equal(quoteExecWord('bell\u0007'), '"bell\\x07"');
  t.equal(quoteExecWord("it's"), '"it\'s"');
});

t.test('specifiers and variables are escaped in command lines', async (t) => {
  t.equal(quoteExecWord('100%'), '"100%%"');
  t.equal(quoteExecWord('$HOME'), '"$$HOME"');
  t.equal(quoteExecWord('${X}'), '"$${X}"');
  t.equal(quoteExecWord(';'), '\\;');
  t.equal(execLine(['/bin/echo', 'a b', '%n']), '/bin/echo "a b" "%%n"');
});

t.test('Environment= items quote the whole assignment and keep $ literal', async (t) => {
  t.equal(environmentItem('PORT', '8080'), 'PORT=8080');
  t.equal(environmentItem('GREETING', 'hello world'), '"GREETING=hello world"');
  t.equal(environmentItem('A', '$HOME 50%'), '"A=$HOME 50%%"');
  t.equal(environmentItem('Q', 'x"y\nz'), '"Q=x\\"y\\nz"');
  t.equal(environmentItem('EMPTY', ''), 'EMPTY=');
});

t.test('time spans, sizes and unit names', async (t) => {
  t.equal(timeSpan(500), '500ms');
  t.equal(timeSpan(30_000), '30s');
  t.equal(timeSpan(90_500), '90500ms');
  t.equal(timeSpan(0), '0s');
  t.equal(byteSize(400 * 1024 ** 2), '400M');
  t.equal(byteSize(2 * 1024 ** 3), '2G');
  t.equal(byteSize(1_000_000), '1000000');
  t.equal(unitName('proj', 'api-0', '.service'), 'proj-api-0.service');
  t.equal(unitName('proj', 'my agent', '.service'), 'proj-my_agent.service');
});
