/**
 * Turning source strings into orchestra strings without changing what they
 * mean: literal text escaped so orchestra's interpolation (`${…}`, `$$`) and
 * Handlebars (`{{…}}`) leave it alone, and shell command lines kept as a
 * shell would run them (split into a list only when that is exactly the same).
 */

/** Text to be taken literally by orchestra: `${` and `$$` escaped as `$${` and `$$$$`, `{{` as `\{{`. */
export function literal(text: string): string {
  return text.replace(/\$+(?=\{)|\$\$+/g, (dollars) => dollars + dollars).replace(/\{\{/g, '\\{{');
}

// Words a shell runs itself: as argv[0] of a plain spawn they would fail or mean something else.
const SHELL_WORDS = new Set(
  (
    'alias bg bind break builtin case cd command compgen complete continue declare dirs disown echo enable eval exec exit export ' +
    'false fc fg for function getopts hash help history if jobs kill let local logout popd printf pushd pwd read readonly return ' +
    'select set shift shopt source suspend test time times trap true type typeset ulimit umask unalias unset until wait while . : [ [['
  ).split(' '),
);
// `echo`, `true`, `false`, `printf`, `kill`, `test`, `[` also exist as programs, but a shell picks its builtin: keep the shell for them too.

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * The argv a shell would run for `line`, when `line` is only plain words
 * separated by spaces and its first word is a program (not a builtin, keyword
 * or assignment); undefined when a shell is needed to get the same meaning.
 */
export function plainArgv(line: string): string[] | undefined {
  const words = line.trim().split(/[ \t]+/);
  if (words.length === 0 || words[0] === '') return undefined;
  if (!words.every((w) => PLAIN_WORD.test(w))) return undefined;
  const first = words[0]!;
  if (SHELL_WORDS.has(first) || first.includes('=')) return undefined;
  return words;
}

/** The argv for a shell command line: plain words as a list, anything else through `shell` (e.g. `bash -c`). */
export function commandFor(line: string, shell: readonly [string, string]): string[] {
  return plainArgv(line) ?? [shell[0], shell[1], line];
}

/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  if (word !== '' && PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Splits a regular expression's special characters out of `text`, so it matches itself. */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
