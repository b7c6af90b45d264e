// The eager preview's value (Node's REPL getInputPreview): the line is evaluated with throwOnSideEffect
// and a short timeout, so a getter, a call with effects, an assignment or a long loop throws instead of
// running; what survives is formatted on one line, as Node shows it.
import { inspect } from 'node:util';
import { AGENT_REF } from './agent.js';
import type { EvalSession } from './session.js';
import { wrapObjectLiteral } from './source.js';
import { ignored } from '../log/debug.js';

const TIMEOUT_MS = 200;
/** Each preview keeps its objects in a group of its own (see completion.ts: late or concurrent ones). */
let previews = 0;
// util.inspect is not side-effect free for V8, so formatting runs normally (as in Node's REPL); but without
// the value's own [util.inspect.custom] (program code), with proxies shown as such (no traps) and getters
// left unread, formatting runs nothing of the program's.
const INSPECT_OPTIONS = { colors: false, depth: 1, compact: true, breakLength: 1e9, showProxy: true, customInspect: false };

/** The styled preview of `code`'s result (dim, or `// ` without colours), or undefined for none. */
export async function previewOf(
  session: EvalSession,
  code: string,
  options: { colors: boolean; maxWidth: number },
): Promise<string | undefined> {
  const ch = session.evalChannel;
  const objectGroup = `anode-preview-${++previews}`;
  const r = await ch.send('Runtime.evaluate', {
    expression: wrapObjectLiteral(code),
    throwOnSideEffect: true,
    timeout: TIMEOUT_MS,
    objectGroup,
  });
  try {
    // Side effects, syntax errors, unknown names: nothing to say yet.
    if (r.exceptionDetails) return undefined;
    let text: string;
    if (r.result.objectId) {
      const f = await ch.send('Runtime.callFunctionOn', {
        objectId: r.result.objectId,
        functionDeclaration: `function (options) { return ${AGENT_REF}.format.call(this, options, false); }`,
        arguments: [{ value: INSPECT_OPTIONS }],
        returnByValue: true,
      });
      if (f.exceptionDetails || typeof f.result.value !== 'string') return undefined;
      text = f.result.value;
    } else {
      const u = r.result.unserializableValue;
      const value = r.result.type === 'undefined' ? undefined : u !== undefined ? (u.endsWith('n') ? BigInt(u.slice(0, -1)) : Number(u)) : r.result.value;
      text = inspect(value, INSPECT_OPTIONS);
    }
    return style(text, code, options);
  } finally {
    if (r.result.objectId) await ch.send('Runtime.releaseObjectGroup', { objectGroup }).catch((err: unknown) => ignored('preview: releasing its object group', err));
  }
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
