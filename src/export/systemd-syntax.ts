/**
 * systemd's own quoting and value syntax (systemd.syntax(7), systemd.service(5)):
 * command lines, Environment= assignments, time spans, sizes. Pure string
 * functions; knows nothing of the Plan.
 */

// Words made only of these need no quotes anywhere systemd splits on spaces.
const PLAIN_WORD = /^[A-Za-z0-9_./:,+=@-]+$/;

/** Escapes `%` so systemd does not read it as a specifier (%n, %h, …). */
export function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, '%%');
}

/** C-style escaping inside a double-quoted systemd word. */
function cEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/**
 * One word of a command line: double-quoted and C-escaped unless plain,
 * `%` doubled, and `$` doubled because ExecStart= expands `$VAR`.
 */
export function quoteExecWord(word: string): string {
  // A lone `;` once separated commands on one ExecStart= line.
  if (word === ';') return '\\;';
  const body = PLAIN_WORD.test(word) ? word : `"${cEscape(word)}"`;
  return escapeSpecifiers(body).replace(/\$/g, '$$$$');
}

/** A whole command line for ExecStart= and friends; argv[0] must already be absolute. */
export function execLine(argv: readonly string[]): string {
  return argv.map(quoteExecWord).join(' ');
}

/** One `KEY=value` item of Environment=, quoted so spaces, quotes and newlines survive. */
export function environmentItem(key: string, value: string): string {
  const item = `${key}=${value}`;
  // Environment= does not expand `$`, but does expand specifiers.
  return escapeSpecifiers(PLAIN_WORD.test(item) ? item : `"${cEscape(item)}"`);
}

/** A path setting such as WorkingDirectory=; only specifiers need escaping. */
export function pathValue(p: string): string {
  return escapeSpecifiers(p);
}

/** A time span in a unit systemd reads unambiguously: `500ms`, `30s`. */
export function timeSpan(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** A byte size with the largest exact binary suffix systemd accepts (K, M, G, T). */
export function byteSize(bytes: number): string {
  const units: [string, number][] = [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]];
  for (const [suffix, size] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(Math.round(bytes));
}

/** A unit name for a project and instance; systemd allows `[A-Za-z0-9:_.\\-]`. */
export function unitName(project: string, instance: string, suffix: string): string {
  return `${project}-${instance}`.replace(/[^A-Za-z0-9:_.-]/g, '_') + suffix;
}
