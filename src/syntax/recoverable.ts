// When an entry is unfinished rather than wrong, decided as Node's REPL decides it
// (isRecoverableError in lib/internal/repl/utils.js): the parse ran into the end of the input, or a
// template, comment, or string continued with a backslash at the end of a line is still open. An entry
// that begins with `{` is also tried as the beginning of an object literal, so `{ "a":` waits for more.
import * as acorn from 'acorn';
import { ACORN } from './entry.js';

let recoverable = false;

const RecoverableParser = acorn.Parser.extend(
  (Parser) =>
    class extends (Parser as unknown as new (options: acorn.Options, input: string) => {
      type: acorn.TokenType;
      input: string;
      lastTokStart: number;
      pos: number;
      nextToken(): void;
      raise(pos: number, message: string): never;
    }) {
      override nextToken(): void {
        super.nextToken();
        if (this.type === acorn.tokTypes.eof) recoverable = true;
      }
      override raise(pos: number, message: string): never {
        if (message === 'Unterminated template' || message === 'Unterminated comment') recoverable = true;
        if (message === 'Unterminated string constant') {
          const token = this.input.slice(this.lastTokStart, this.pos);
          if (/\\(?:\r\n?|\n|\u2028|\u2029)$/.test(token)) recoverable = true;
        }
        return super.raise(pos, message);
      }
    } as never,
);

/** True when more lines may complete `code` (which does not parse as it is). */
export function isRecoverable(code: string): boolean {
  // Node's REPL checks the entry with its line break (a backslash at the end of a line continues a string).
  const text = `${code}\n`;
  if (/^\s*\{/.test(code) && recoverableText(`(${text}`)) return true;
  return recoverableText(text);
}

function recoverableText(text: string): boolean {
  recoverable = false;
  try {
    RecoverableParser.parse(text, ACORN);
    return false;
  } catch {
    return recoverable;
  }
}
