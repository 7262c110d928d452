import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { clockTicks, pageSize, parseAuxv } from '../../src/supervise/kernel-constants.js';

/** An auxiliary vector of `pairs` in the given word size and byte order. */
function auxv(pairs: [number, number][], word: 4 | 8, le: boolean): Buffer {
  const b = Buffer.alloc(pairs.length * 2 * word);
  pairs.flat().forEach((v, i) => {
    if (word === 4) le ? b.writeUInt32LE(v, i * 4) : b.writeUInt32BE(v, i * 4);
    else le ? b.writeBigUInt64LE(BigInt(v), i * 8) : b.writeBigUInt64BE(BigInt(v), i * 8);
  });
  return b;
}

t.test('parseAuxv reads entries up to AT_NULL in either word size and byte order', async (t) => {
  const pairs: [number, number][] = [[33, 140124068704256], [6, 16384], [17, 100], [0, 0], [6, 1]];
  for (const [word, le] of [[8, true], [8, false], [4, true], [4, false]] as const) {
    const entries = parseAuxv(auxv(word === 4 ? pairs.map(([k, v]) => [k, v % 2 ** 32]) : pairs, word, le), word, le);
    t.equal(entries.get(6), 16384, `${word * 8}-bit ${le ? 'LE' : 'BE'}: page size`);
    t.equal(entries.get(17), 100, `${word * 8}-bit ${le ? 'LE' : 'BE'}: clock ticks`);
    t.equal(entries.size, 3, 'nothing after AT_NULL');
  }
  t.same([...parseAuxv(Buffer.alloc(5), 8, true)], [], 'a short file has no entries');
});

t.test("clock ticks and page size are what getconf says on this machine", async (t) => {
  t.equal(await clockTicks(), Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
  t.equal(await pageSize(), Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
});

t.test('they come from /proc/self/auxv, not from a getconf process', async (t) => {
  // A getconf on PATH that answers 7 to everything: a value of 7 means a process was started.
  const dir = t.testdir({ getconf: '#!/bin/sh\necho 7\n' });
  chmodSync(join(dir, 'getconf'), 0o755);
  // The built module (npm run build), run by a plain node.
  const module = new URL('../../dist/supervise/kernel-constants.js', import.meta.url).href;
  const code = `const k = await import(${JSON.stringify(module)}); console.log(await k.clockTicks(), await k.pageSize());`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  t.same(out.trim().split(' ').map(Number), [await clockTicks(), await pageSize()]);
  t.not(await clockTicks(), 7);
});
