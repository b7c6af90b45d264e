// Syntax colouring of the line being typed (colour terminals only): keywords, strings, numbers, regular
// expressions and comments, from acorn's tokenizer. Whatever acorn cannot tokenize yet (an unfinished
// string) is left as typed.
import * as acorn from 'acorn';
import { Chalk } from 'chalk';
import type { TtyInterface } from './keys.js';

const chalk = new Chalk({ level: 1 });
const CONTEXTUAL = new Set(['let', 'await', 'of', 'async', 'static', 'get', 'set']);
const OPTIONS: acorn.Options = { ecmaVersion: 'latest', allowAwaitOutsideFunction: true, allowHashBang: true };

/** `code` with ANSI colours; same characters, same order. */
export function highlight(code: string): string {
  const spans: { start: number; end: number; paint: (s: string) => string }[] = [];
  try {
    const tokens = acorn.tokenizer(code, {
      ...OPTIONS,
      onComment: (_block, _text, start, end) => spans.push({ start, end, paint: chalk.gray }),
    });
    for (const t of tokens) {
      const paint =
        t.type.keyword !== undefined || (t.type === acorn.tokTypes.name && CONTEXTUAL.has(String((t as { value?: unknown }).value)))
          ? chalk.cyan
          : t.type === acorn.tokTypes.string || t.type === acorn.tokTypes.template || t.type === acorn.tokTypes.backQuote
            ? chalk.green
            : t.type === acorn.tokTypes.num
              ? chalk.yellow
              : t.type === acorn.tokTypes.regexp
                ? chalk.red
                : undefined;
      if (paint) spans.push({ start: t.start, end: t.end, paint });
    }
  } catch {
    // An unfinished token: colour what came before it.
  }
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    out += code.slice(at, span.start) + span.paint(code.slice(span.start, span.end));
    at = span.end;
  }
  return out + code.slice(at);
}

type WritingInterface = TtyInterface & { _writeToOutput(text: string): void; _refreshLine(): void };

/**
 * Colours the input line of a terminal readline as it is drawn. readline writes a typed character on its
 * own when the cursor is at the end: then the whole line is redrawn instead, coloured.
 */
export function colourInput(rl: TtyInterface, enabled: () => boolean): void {
  const tty = rl as WritingInterface;
  const write = tty._writeToOutput.bind(tty);
  tty._writeToOutput = (text: string) => {
    const line = tty.line;
    if (!enabled() || line === '') return write(text);
    const prompt = tty.getPrompt();
    if (text === prompt + line) return write(prompt + highlight(line));
    const typedAtEnd = tty.cursor === line.length && line.length > text.length && line.endsWith(text) && !/[\r\n]/.test(text);
    if (typedAtEnd) return tty._refreshLine();
    write(text);
  };
}
