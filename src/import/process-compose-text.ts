/**
 * process-compose's two substitutions, turned into orchestra's:
 * - environment expansion (drone/envsubst on the file's text before YAML
 *   parsing, `$$` escapes a `$`): an unset `$VAR` or `${VAR}` is the empty
 *   string there, so it becomes `${VAR:-}` here; `${VAR:-x}`, `${VAR-x}`,
 *   `${VAR:=x}` and `${VAR=x}` keep their default;
 * - Go templates in `command`, `working_dir`, `description` and probe fields:
 *   `{{.NAME}}` from `vars` is written out, `{{.PC_REPLICA_NUM}}` becomes
 *   `{{replica.index}}`, `{{ "text" }}` is the literal text.
 * Anything else is kept literally with a warning. Pure.
 */

import { literal } from './text.js';

export interface PcTextContext {
  /** `disable_env_expansion: true`: `$` is never special. */
  envExpansion: boolean;
  /** `vars` in scope (process vars over global vars), or undefined where templates are not rendered. */
  vars?: ReadonlyMap<string, string>;
  /** Called once per construct that cannot be carried over exactly. */
  warn: (message: string) => void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The orchestra string with the same meaning as process-compose string `raw`. */
export function pcText(raw: string, ctx: PcTextContext): string {
  let out = '';
  // Plain text is collected and escaped as one run, so `$` before `{` in it is seen.
  let plain = '';
  const emit = (piece: string): void => {
    out += literal(plain) + piece;
    plain = '';
  };
  let i = 0;
  while (i < raw.length) {
    if (ctx.vars !== undefined && raw.startsWith('{{', i)) {
      const end = templateEnd(raw, i + 2);
      if (end >= 0) {
        emit(goTemplate(raw.slice(i + 2, end), ctx));
        i = end + 2;
        continue;
      }
    }
    if (ctx.envExpansion && raw[i] === '$') {
      const [piece, used] = dollar(raw, i, ctx);
      emit(piece);
      i += used;
      continue;
    }
    plain += raw[i]!;
    i++;
  }
  emit('');
  return out;
}

function dollar(raw: string, i: number, ctx: PcTextContext): [string, number] {
  const next = raw[i + 1];
  if (next === '$') return ['$$', 2];
  if (next === '{') {
    const close = matchingBrace(raw, i + 1);
    if (close < 0) return ['$$', 1];
    const inner = raw.slice(i + 2, close);
    return [braced(inner, ctx), close + 1 - i];
  }
  const name = NAME.exec(raw.slice(i + 1));
  if (name) return [`\${${name[0]}:-}`, 1 + name[0].length];
  // `$` before anything else is a plain `$` in envsubst, and in orchestra.
  return [literal('$'), 1];
}

function braced(inner: string, ctx: PcTextContext): string {
  const name = NAME.exec(inner);
  if (!name) {
    ctx.warn(`\`\${${inner}}\` is not a variable reference process-compose would expand the same way here; kept as literal text`);
    return literal(`\${${inner}}`);
  }
  const op = inner.slice(name[0].length);
  if (op === '') return `\${${name[0]}:-}`;
  const forms: [string, string][] = [
    [':-', ':-'],
    [':=', ':-'],
    ['-', '-'],
    ['=', '-'],
  ];
  for (const [from, to] of forms) {
    if (op.startsWith(from)) {
      const fallback = pcText(op.slice(from.length), { envExpansion: true, warn: ctx.warn });
      return `\${${name[0]}${to}${fallback}}`;
    }
  }
  ctx.warn(`\`\${${inner}}\` (a string operation of process-compose's envsubst) has no orchestra equivalent; it becomes the plain value of ${name[0]}`);
  return `\${${name[0]}:-}`;
}

/** The index of the `}}` closing a template body starting at `from`, skipping quoted strings; -1 when unclosed. */
function templateEnd(raw: string, from: number): number {
  let quote: string | undefined;
  for (let j = from; j < raw.length; j++) {
    const c = raw[j]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') j++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '}' && raw[j + 1] === '}') return j;
  }
  return -1;
}

function matchingBrace(raw: string, open: number): number {
  let depth = 0;
  for (let j = open; j < raw.length; j++) {
    if (raw[j] === '{') depth++;
    else if (raw[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function goTemplate(body: string, ctx: PcTextContext): string {
  const trimmed = body.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(trimmed) ?? /^`([^`]*)`$/.exec(trimmed);
  if (quoted) return literal(quoted[1]!.replace(/\\(.)/g, '$1'));
  const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(trimmed);
  if (field) {
    const name = field[1]!;
    if (name === 'PC_REPLICA_NUM') return '{{replica.index}}';
    const value = ctx.vars?.get(name);
    if (value !== undefined) return literal(value);
    ctx.warn(`template \`{{${body}}}\` names no variable in \`vars\`; process-compose would fail to render it; kept as literal text`);
    return literal(`{{${body}}}`);
  }
  ctx.warn(`Go template \`{{${body}}}\` cannot be carried over; kept as literal text`);
  return literal(`{{${body}}}`);
}
