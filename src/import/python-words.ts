/**
 * The two ways supervisord splits a string: `shlex.split` (POSIX rules, for
 * `command`) and its `key="value",key2=value2` lists (for `environment`).
 * Pure.
 */

/** Splits like Python's `shlex.split(s)`: whitespace separates words, quotes group, backslash escapes. Undefined when a quote is not closed. */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let piece = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        piece += text[j];
        j++;
      }
      if (j >= text.length) return undefined;
      word = (word ?? '') + piece;
      i = j + 1;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Parses supervisord's `KEY="value",KEY2=value2` into pairs, in order; undefined when malformed. */
export function keyValuePairs(text: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  let i = 0;
  const skip = (): void => {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
  };
  skip();
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) return undefined;
    const key = text.slice(i, eq).trim();
    if (key === '' || /[\s,"']/.test(key)) return undefined;
    i = eq + 1;
    let value = '';
    while (i < text.length && text[i] !== ',') {
      const c = text[i]!;
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) return undefined;
        value += text.slice(i + 1, end);
        i = end + 1;
      } else {
        value += c;
        i++;
      }
    }
    pairs.push([key, value.trim()]);
    skip();
  }
  return pairs;
}
