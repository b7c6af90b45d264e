// Tab completion computed in the target, as Node's REPL does, but never running the program's code:
// the object being completed is evaluated with throwOnSideEffect (a getter, a call with effects, an
// assignment, a Proxy trap all throw instead of running) under a short timeout, and its property names are listed by
// the agent without touching getters, in the same evaluation (bounded-evaluate.ts). A Proxy is never
// touched (its traps are the program's code): the agent asks V8 (util.types.isProxy) before each step
// along the prototype chain and stops there.
import { AGENT_PURE_REF, AGENT_REF } from './agent.js';
import { ignored } from '../log/debug.js';
import { lookInto } from './bounded-evaluate.js';
import type { EvalSession } from './session.js';

const TIMEOUT_MS = 250;
/**
 * Each completion keeps its objects in a group of its own: one that answers late (the program was stopped)
 * or runs beside another (served clients share a session) must not release the other's objects.
 */
let completions = 0;
const KEYWORDS = [
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'let', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'undefined',
  'var', 'void', 'while', 'with', 'yield',
];

/** `[candidates, completed substring]` for the text before the cursor (readline's completer contract). */
export async function complete(session: EvalSession, line: string): Promise<[string[], string]> {
  const req = /\brequire\(\s*(['"])([\w@./:-]*)$/.exec(line);
  if (req) {
    const names = await listIn(session, `${AGENT_REF}.moduleNames()`, false);
    return [filter(names, req[2]!), req[2]!];
  }
  const chain = /(?:^|[^\w$.])((?:[\w$]+\s*\??\.\s*)*)([\w$]*)$/.exec(line);
  if (!chain) return [[], line];
  const objectPath = chain[1]!.replace(/\s+/g, '').replace(/\??\.$/, '');
  const partial = chain[2]!;
  if (objectPath === '') {
    const [lexical, globals] = await Promise.all([
      session.evalChannel.send('Runtime.globalLexicalScopeNames').then((r) => r.names, () => [] as string[]),
      listIn(session, `${AGENT_PURE_REF}.propertyNames(globalThis)`),
    ]);
    return [filter([...lexical, ...globals, ...KEYWORDS], partial), partial];
  }
  if (/^\d/.test(objectPath)) return [[], partial];
  const names = await lookInto<string[]>(session.evalChannel, `complete:${objectPath}`, `${AGENT_PURE_REF}.propertyNames((\n${objectPath}\n))`, TIMEOUT_MS);
  return [filter(Array.isArray(names) ? names : [], partial), partial];
}

/** Names listed by an expression of anode's own; `sideEffectFree` adds throwOnSideEffect (not for moduleNames: it reads the disk). */
async function listIn(session: EvalSession, expression: string, sideEffectFree = true): Promise<string[]> {
  let names: unknown;
  if (sideEffectFree) names = await lookInto<string[]>(session.evalChannel, expression, expression, TIMEOUT_MS);
  else {
    const r = await session.evalChannel
      .send('Runtime.evaluate', { expression, returnByValue: true, timeout: TIMEOUT_MS })
      .catch((err: unknown) => ignored('listing module names', err));
    names = r && !r.exceptionDetails ? r.result.value : undefined;
  }
  return Array.isArray(names) ? (names as string[]) : [];
}

/** Sorted, de-duplicated names that start with `partial` (private `_x` names only when asked for). */
function filter(names: string[], partial: string): string[] {
  const out = new Set(names.filter((n) => n.startsWith(partial) && (partial.startsWith('_') || !n.startsWith('__'))));
  return [...out].sort();
}
