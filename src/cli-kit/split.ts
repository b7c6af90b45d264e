// Splitting a command line like a POSIX shell (Python's shlex.split): whitespace separates words, single
// quotes keep everything, double quotes keep everything but \" \\ \$ \`, a backslash escapes one character.
// Twenty lines of our own instead of a dependency: shell-quote also expands $VARS and turns `*`, `|`, `>`
// into operator objects (a glob like `history -p 127.*` would not come back as text), and string-argv
// has no backslash escapes.

/** The words of `line`; throws SyntaxError('No closing quotation') on an unterminated quote. */
export function splitLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new SyntaxError('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
