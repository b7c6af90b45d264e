// One parse per console entry, shared: the console engine asks whether the entry is complete, the
// evaluator where its final expression and its `import(` calls are. Both ask about the same text, so the second asks a cache.
import * as acorn from 'acorn';
import { isRecoverable } from './recoverable.js';

/** How anode parses what is typed: a script (REPL semantics), with top-level await. */
export const ACORN: acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowHashBang: true,
};

/** What a parse of an entry found: its syntax error, or where its final expression statement is. */
export interface EntrySyntax {
  error?: { message: string; pos: number };
  /** The expression of the last statement, when that statement is an expression statement. */
  final?: { start: number; end: number };
  /** Offsets of the `import` of every `import(...)` call (not `a.import(...)`, strings or comments). */
  imports: number[];
}

/** Entries repeat (history, a client polling `process.memoryUsage()`) and are asked about twice. */
const CACHED = 256;
const cache = new Map<string, EntrySyntax>();

/** The syntax of `code`, parsed once per text among the last few hundred. */
export function entrySyntax(code: string): EntrySyntax {
  const hit = cache.get(code);
  if (hit) return hit;
  const syntax = parse(code);
  cache.set(code, syntax);
  if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
  return syntax;
}

function parse(code: string): EntrySyntax {
  const imports: number[] = [];
  // The tokens are looked at only when the text could hold an `import(` (the same pass as the parse).
  const tokens: acorn.Token[] = [];
  try {
    const options = code.includes('import') ? { ...ACORN, onToken: tokens } : ACORN;
    const last = acorn.parse(code, options).body.at(-1);
    tokens.forEach((token, i) => {
      const before = tokens[i - 1]?.type;
      const member = before === acorn.tokTypes.dot || before === acorn.tokTypes.questionDot;
      if (token.type === acorn.tokTypes._import && tokens[i + 1]?.type === acorn.tokTypes.parenL && !member) imports.push(token.start);
    });
    if (last?.type === 'ExpressionStatement') return { final: { start: last.expression.start, end: last.expression.end }, imports };
    return { imports };
  } catch (err) {
    // A syntax error: nothing is rewritten, the target reports the entry as typed.
    const e = err as SyntaxError & { pos?: number };
    return { error: { message: e.message, pos: e.pos ?? -1 }, imports: [] };
  }
}

/** `{ a: 1 }` alone on a line is an object, not a block (Node's REPL rule: begins with `{`, no `;` at the end). */
export function isObjectLiteral(code: string): boolean {
  if (!/^\s*\{/.test(code) || /;\s*$/.test(code)) return false;
  return entrySyntax(`(${code})`).error === undefined; // else not an expression: leave it a block
}

/** True when `code` is the beginning of something longer, not a finished entry or a mistake. */
export function needsMore(code: string): boolean {
  if (code.trim() === '' || entrySyntax(code).error === undefined || isObjectLiteral(code)) return false;
  return isRecoverable(code);
}
