/**
 * `orchestra init`: write a commented starter manifest from templates/init.
 * Refuses to overwrite an existing file.
 */

import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Turns a directory name into a valid project name (`My App` → `my-app`). */
export function projectNameFrom(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
  return name.length > 0 ? name : 'project';
}

/** Runs the command and returns its exit code. */
export async function runInit(flags: { file: string; name?: string }): Promise<number> {
  const target = resolve(flags.file);
  const name = flags.name ?? projectNameFrom(dirname(target));
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    process.stderr.write(
      `orchestra init: invalid --name "${name}": use lowercase letters, digits, "_" and "-", starting with a letter\n`,
    );
    return 1;
  }
  const template = await readFile(resolve(packageRoot, 'templates/init/orchestra.yaml.hbs'), 'utf8');
  let schemaPath = relative(dirname(target), resolve(packageRoot, 'orchestra.schema.json'));
  if (!schemaPath.startsWith('.')) schemaPath = `./${schemaPath}`;
  const text = Handlebars.compile(template, { noEscape: true, strict: true })({ name, schemaPath });
  try {
    // O_EXCL: never overwrite, even if the file appears between a check and the write.
    const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    await handle.writeFile(text);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      process.stderr.write(`orchestra init: ${flags.file} already exists; not overwriting it\n`);
      return 1;
    }
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
      process.stderr.write(`orchestra init: cannot write ${flags.file}: ${code}\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`wrote ${flags.file}; next: orchestra validate -f ${flags.file}\n`);
  return 0;
}
