// Deciding when an entry is complete: an open brace, an unfinished function or template literal waits for
// more lines (`... ` prompt); anything else, even a syntax error, is evaluated (the target reports it).
import { entrySyntax } from '../syntax/entry.js';

/** True when `code` is the beginning of something longer, not a mistake. */
export function isIncomplete(code: string): boolean {
  if (code.trim() === '') return false;
  const { error } = entrySyntax(code);
  if (!error) return false;
  if (/^Unterminated (template|comment)/.test(error.message)) return true;
  return error.pos >= code.length && !/^Unterminated string/.test(error.message);
}
