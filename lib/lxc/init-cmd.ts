// `lxc.init.cmd` is one string that liblxc splits into the init's arguments itself
// (lxc_string_split_quoted in src/lxc/string_utils.c): words are separated by white space, and
// a word that starts with " or ' runs to the next same quote. There are no escapes, so an
// argument is written bare, in double quotes or in single quotes, whichever LXC reads back as
// exactly that argument.

/** C's isspace(): what separates words. */
const SPACE = /[ \t\n\v\f\r]/;
const QUOTES = new Set(['"', "'"]);

/** The arguments LXC runs for an `lxc.init.cmd` value. */
export function splitInitCmd(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of value) {
    if (quote !== undefined) {
      if (char === quote) {
        words.push(word!);
        word = undefined;
        quote = undefined;
      } else word += char;
    } else if (word === undefined) {
      if (SPACE.test(char)) continue;
      if (QUOTES.has(char)) {
        quote = char;
        word = '';
      } else word = char;
    } else if (SPACE.test(char)) {
      words.push(word);
      word = undefined;
    } else word += char;
  }
  // An unterminated quoted word is dropped, as liblxc drops it.
  if (word !== undefined && quote === undefined) words.push(word);
  return words;
}

/** One argument as LXC's splitter reads it back, or undefined when no quoting can say it. */
export function quoteInitArg(arg: string): string | undefined {
  if (arg !== '' && !SPACE.test(arg) && !QUOTES.has(arg[0]!)) return arg;
  if (!arg.includes('"')) return `"${arg}"`;
  if (!arg.includes("'")) return `'${arg}'`;
  return undefined;
}

/** The `lxc.init.cmd` value that runs exactly these arguments, or undefined if one cannot be said. */
export function joinInitCmd(args: readonly string[]): string | undefined {
  const quoted = args.map(quoteInitArg);
  return quoted.every((arg) => arg !== undefined) ? quoted.join(' ') : undefined;
}
