// Compiles the status page's handlebars templates into plain JavaScript functions that build the page
// by string concatenation. Handlebars parses (so whitespace control is handlebars' own); this turns
// the parse tree into code for the subset the templates use: `{{path}}`, helper calls, `{{#if}}` /
// `{{else if}}` / `{{#unless}}` / `{{#each}}` with `{{else}}`, partials with hash arguments, and
// subexpressions. Anything else is refused here, at `npm run gen`, rather than rendered differently.
// Why not handlebars' own precompiled output: its runtime resolves every name through helper lookups,
// property guards and a partial call per card, and the first page of 100 agents spent as long
// loading and warming that runtime as building the page (docs/decisions.md).
// The output matches handlebars byte for byte (test/report/status-templates.test.ts renders both).

/** Handlebars' own helpers. */
const BUILT_IN = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'helperMissing', 'blockHelperMissing'];

/** The code shared by every template: handlebars' escaping, property lookup, truthiness and iteration. */
export const RUNTIME = `const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '\`': '&#x60;', '=': '&#x3D;' };
const UNSAFE = /[&<>"'\`=]/;
const UNSAFE_ALL = /[&<>"'\`=]/g;
const escapeChar = (c) => ESCAPES[c];
/** Handlebars' escapeExpression: an object with toHTML() is trusted, null and undefined print nothing. */
function e(v) {
  if (typeof v !== 'string') {
    if (v && v.toHTML) return v.toHTML();
    if (v == null) return '';
    if (!v) return v + '';
    v = '' + v;
  }
  return UNSAFE.test(v) ? v.replace(UNSAFE_ALL, escapeChar) : v;
}
/** {{{ }}}: the value as it is. */
function raw(v) {
  return v == null ? '' : v;
}
const own = Object.prototype.hasOwnProperty;
/** A property the object itself has (handlebars does not read inherited ones). */
function g(o, k) {
  return o != null && own.call(o, k) ? o[k] : undefined;
}
/** {{#if}}: false for falsy values (0 included) and empty arrays. */
function t(v) {
  return Array.isArray(v) ? v.length !== 0 : !!v;
}
/** {{#each}}: an array's items, an object's own values, nothing otherwise. */
function l(v) {
  if (Array.isArray(v)) return v;
  if (v != null && typeof v === 'object') return Object.keys(v).map((k) => v[k]);
  return [];
}`;

/**
 * The function source for one parsed template (a handlebars Program), called as `fn(c, r, h)`: context,
 * root, helpers; `helpers` names the helpers the templates may call (handlebars resolves a bare `{{name}}`
 * as a helper before a property, so a bare name of one of them is refused).
 */
export function compileTemplate(ast, name, helpers) {
  const state = { depth: 0, where: name, helpers: new Set(helpers), reserved: new Set([...BUILT_IN, ...helpers]) };
  return `function (c0, r, h) {\n  let o = '';\n${program(ast, 'c0', state, '  ')}  return o;\n}`;
}

function program(node, ctx, state, pad) {
  let code = '';
  for (const s of node.body) code += statement(s, ctx, state, pad);
  return code;
}

function statement(s, ctx, state, pad) {
  switch (s.type) {
    case 'ContentStatement':
      return s.value === '' ? '' : `${pad}o += ${JSON.stringify(s.value)};\n`;
    case 'CommentStatement':
      return '';
    case 'MustacheStatement':
      return `${pad}o += ${mustache(s, ctx, state)};\n`;
    case 'BlockStatement':
      return block(s, ctx, state, pad);
    case 'PartialStatement':
      return partial(s, ctx, state, pad);
    default:
      return refuse(state, s, `${s.type} is not supported`);
  }
}

function mustache(s, ctx, state) {
  if (s.path.type !== 'PathExpression') return refuse(state, s, 'a mustache must name a path or a helper');
  const bare = s.path.parts.length === 1 && !s.path.data ? s.path.parts[0] : undefined;
  if (!s.params.length && !s.hash && state.reserved.has(bare)) return refuse(state, s, `{{${bare}}} names a helper`);
  const out = s.params.length > 0 || s.hash ? helperCall(s, ctx, state) : path(s.path, ctx, state);
  return s.escaped ? `e(${out})` : `raw(${out})`;
}

function helperCall(s, ctx, state) {
  const name = s.path.original;
  if (s.path.parts.length !== 1 || s.path.data || !state.helpers.has(name)) return refuse(state, s, `unknown helper ${name}`);
  if (s.hash) return refuse(state, s, `helper ${name} takes no hash arguments here`);
  return `h[${JSON.stringify(name)}](${s.params.map((p) => value(p, ctx, state)).join(', ')})`;
}

function value(p, ctx, state) {
  switch (p.type) {
    case 'PathExpression':
      return path(p, ctx, state);
    case 'SubExpression':
      return helperCall(p, ctx, state);
    case 'StringLiteral':
      return JSON.stringify(p.value);
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return String(p.value);
    case 'UndefinedLiteral':
      return 'undefined';
    case 'NullLiteral':
      return 'null';
    default:
      return refuse(state, p, `${p.type} is not supported`);
  }
}

function path(p, ctx, state) {
  if (p.depth > 0) return refuse(state, p, '`../` is not supported');
  let base = ctx;
  let parts = p.parts;
  if (p.data) {
    if (parts[0] !== 'root') return refuse(state, p, `@${parts[0]} is not supported`);
    base = 'r';
    parts = parts.slice(1);
  }
  return parts.reduce((code, part) => `g(${code}, ${JSON.stringify(part)})`, base);
}

function block(s, ctx, state, pad) {
  const name = s.path.original;
  if (s.params.length !== 1 || s.hash || s.program.blockParams) return refuse(state, s, `{{#${name}}} takes exactly one argument`);
  const arg = value(s.params[0], ctx, state);
  const inner = pad + '  ';
  const inverse = (c) => (s.inverse ? program(s.inverse, c, state, inner) : '');
  switch (name) {
    case 'if':
    case 'unless': {
      const test = name === 'if' ? `t(${arg})` : `!t(${arg})`;
      const otherwise = inverse(ctx);
      return `${pad}if (${test}) {\n${program(s.program, ctx, state, inner)}${pad}}${otherwise ? ` else {\n${otherwise}${pad}}` : ''}\n`;
    }
    case 'each': {
      const depth = ++state.depth;
      const items = `a${depth}`;
      const item = `c${depth}`;
      const otherwise = inverse(ctx);
      const loop = `${pad}for (const ${item} of ${items}) {\n${program(s.program, item, state, inner)}${pad}}\n`;
      const tail = otherwise ? `${pad}if (${items}.length === 0) {\n${otherwise}${pad}}\n` : '';
      return `${pad}const ${items} = l(${arg});\n${loop}${tail}`;
    }
    default:
      return refuse(state, s, `block helper ${name} is not supported`);
  }
}

function partial(s, ctx, state, pad) {
  if (s.name.type !== 'PathExpression' || s.params.length > 0) return refuse(state, s, 'a partial takes a name and hash arguments only');
  // With preventIndent, handlebars prints a standalone partial's indentation once, before it.
  const indent = s.indent ? `${pad}o += ${JSON.stringify(s.indent)};\n` : '';
  const pairs = s.hash ? s.hash.pairs.map((pair) => `${JSON.stringify(pair.key)}: ${value(pair.value, ctx, state)}`) : [];
  const context = pairs.length ? `{ ...${ctx}, ${pairs.join(', ')} }` : ctx;
  return `${indent}${pad}o += partials[${JSON.stringify(s.name.original)}](${context}, r, h);\n`;
}

function refuse(state, node, why) {
  const at = node.loc ? `:${node.loc.start.line}:${node.loc.start.column + 1}` : '';
  throw new Error(`${state.where}${at}: ${why}`);
}
