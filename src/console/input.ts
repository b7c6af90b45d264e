// Deciding when an entry is complete: an open brace, an unfinished function or template literal waits for
// more lines (`... ` prompt); anything else, even a syntax error, is evaluated (the target reports it).
import * as acorn from 'acorn';

const ACORN: acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowHashBang: true,
};

/** True when `code` is the beginning of something longer, not a mistake. */
export function isIncomplete(code: string): boolean {
  if (code.trim() === '') return false;
  try {
    acorn.parse(code, ACORN);
    return false;
  } catch (err) {
    const e = err as SyntaxError & { pos?: number };
    if (/^Unterminated (template|comment)/.test(e.message)) return true;
    const at = e.pos ?? -1;
    return at >= code.length && !/^Unterminated string/.test(e.message);
  }
}
