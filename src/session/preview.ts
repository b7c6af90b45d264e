// The eager preview's value (Node's REPL getInputPreview): the line and its formatting are ONE evaluation
// with throwOnSideEffect and a short timeout (see bounded-evaluate.ts), so a getter, a call with effects,
// an assignment or a long loop throws instead of running. The agent's own formatter (preview-text.ts)
// prints what survives on one line, bounded in size, without reading a getter, touching a Proxy (a Proxy
// is not previewed; inside a value it shows as `[Proxy]`) or calling [util.inspect.custom].
import { AGENT_PURE_REF } from './agent.js';
import { lookInto } from './bounded-evaluate.js';
import type { EvalSession } from './session.js';
import { wrapObjectLiteral } from './source.js';
import { ignored } from '../log/debug.js';

const TIMEOUT_MS = 200;

/**
 * A line that begins with a function or class declaration: as an entry it declares (its value is
 * undefined, so Node previews nothing); in the preview's parentheses it would read as an expression.
 */
const DECLARATION = /^\s*(?:async\s+function|function|class)(?![\w$])/;

/** The styled preview of `code`'s result (dim, or `// ` without colours), or undefined for none. */
export async function previewOf(
  session: EvalSession,
  code: string,
  options: { colors: boolean; maxWidth: number },
): Promise<string | undefined> {
  if (DECLARATION.test(code)) return undefined;
  // The newlines keep a trailing `// comment` from swallowing the closing parenthesis.
  const expression = `${AGENT_PURE_REF}.preview((\n${wrapObjectLiteral(code)}\n))`;
  const text = await lookInto<string>(session.evalChannel, `preview:${code}`, expression, TIMEOUT_MS);
  return typeof text === 'string' && text !== '' ? style(text, code, options) : undefined;
}

/** One line of at most `maxWidth` columns, dimmed; nothing when it would only repeat the input. */
export function style(text: string, code: string, options: { colors: boolean; maxWidth: number }): string | undefined {
  let line = text.split('\n', 1)[0]!;
  if (line === code.trim()) return undefined;
  if (line === 'undefined' && !options.colors) return undefined;
  const room = options.maxWidth - (options.colors ? 0 : 3);
  if ([...line].length > room) line = `${[...line].slice(0, Math.max(0, room - 4)).join('')}...`;
  return options.colors ? `\x1b[90m${line}\x1b[39m` : `// ${line}`;
}
