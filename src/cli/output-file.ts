/**
 * Files a command writes where a flag says (`page -o`, `plan --out`,
 * `export -o`, `import -o`): a path that cannot be written is the user's
 * argument, so its failure is a sentence naming the flag and the path, never
 * an internal error.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REASONS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  // mkdir's answer when a folder on the way is a file.
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** The sentence for a failed write of `file`, named by `flag`. */
export function writeFailure(error: unknown, file: string, flag: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code !== undefined ? REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return `cannot write ${flag} ${file}: ${reason}`;
}

/**
 * Writes `text` to `file`; with `createFolders` its missing folders first.
 * Returns undefined when written, else the sentence saying why not.
 */
export function writeOutputFile(file: string, text: string, flag: string, options: { mode?: number; createFolders?: boolean } = {}): string | undefined {
  try {
    if (options.createFolders) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, text, options.mode === undefined ? {} : { mode: options.mode });
    return undefined;
  } catch (error) {
    return writeFailure(error, file, flag);
  }
}
