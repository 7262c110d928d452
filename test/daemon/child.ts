/**
 * Spawning helpers for daemon tests: real child processes, read line by line,
 * always killed on teardown (by pid, never by name).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Transpiles some of orchestra's own modules (paths relative to the repo
 * root, e.g. `src/daemon/lock.ts`) to plain ESM under `outDir`, keeping the
 * layout so relative imports still resolve. A child process then runs real
 * orchestra code with a bare `node`, in a fraction of the time a TypeScript
 * loader takes to start on a busy machine. Returns the path of the first.
 */
export async function transpileModules(files: string[], outDir: string): Promise<string> {
  const ts = (await import('typescript')).default;
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  const outputs: string[] = [];
  for (const file of files) {
    const source = await readFile(join(ROOT, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const out = join(outDir, file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
    outputs.push(out);
  }
  return outputs[0]!;
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the next stdout line (waits as long as needed; tap's timeout bounds it). */
  nextLine(): Promise<string>;
  /** Resolves when the process has exited and been reaped. */
  exited: Promise<unknown>;
  kill(signal?: NodeJS.Signals): void;
}

/** What spawnNode needs of a tap test. */
export interface HasTeardown {
  teardown(fn: () => unknown): void;
}

/** Spawns `node <args>`; registers a teardown that kills it if it still runs. */
export function spawnNode(t: HasTeardown, args: string[]): Child {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  if (proc.pid === undefined) throw new Error('spawn failed');
  const exited = once(proc, 'exit');
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else lines.push(line);
  });
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return {
    proc,
    pid: proc.pid,
    exited,
    nextLine: () => {
      const line = lines.shift();
      return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiters.push(resolve));
    },
    kill: (signal = 'SIGKILL') => proc.kill(signal),
  };
}
