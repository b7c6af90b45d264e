// Turns a console entry into the source the target evaluates: `{a: 1}` as an object literal (as Node's
// REPL does), `import()` routed through the agent (Runtime.evaluate has no dynamic-import callback), a
// leading yield so Ctrl-C can stop even a synchronous loop, and a sourceURL naming the entry in stacks.
import * as acorn from 'acorn';
import { AGENT_REF } from './agent.js';

const ACORN: acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: false,
  allowHashBang: true,
};

/** `{ a: 1 }` alone on a line is an object, not a block (Node's REPL rule). */
export function wrapObjectLiteral(code: string): string {
  if (!/^\s*\{/.test(code) || /;\s*$/.test(code)) return code;
  const wrapped = `(${code.trim()})`;
  try {
    acorn.parse(wrapped, ACORN);
    return wrapped;
  } catch {
    // Not an expression: leave it a block.
  }
  return code;
}

/** Replaces the `import` of every `import(...)` call with the agent's importer. */
export function rewriteDynamicImport(code: string): string {
  if (!code.includes('import')) return code;
  const starts: number[] = [];
  try {
    let before: acorn.Token | undefined;
    let previous: acorn.Token | undefined;
    for (const token of acorn.tokenizer(code, ACORN)) {
      const isMember = before?.type === acorn.tokTypes.dot || before?.type === acorn.tokTypes.questionDot;
      if (previous?.type === acorn.tokTypes._import && token.type === acorn.tokTypes.parenL && !isMember) {
        starts.push(previous.start);
      }
      before = previous;
      previous = token;
    }
  } catch {
    return code; // A syntax error: let the target report it.
  }
  let out = code;
  for (const start of starts.reverse()) {
    out = `${out.slice(0, start)}${AGENT_REF}.import${out.slice(start + 'import'.length)}`;
  }
  return out;
}

/** The patterns for one binding name, compiled once (these scans run for every entry). */
const patterns = new Map<string, { use: RegExp; assign: RegExp; declare: RegExp }>();
function patternsOf(name: string): { use: RegExp; assign: RegExp; declare: RegExp } {
  let p = patterns.get(name);
  if (!p) {
    const escaped = name.replace(/\$/g, '\\$');
    p = {
      // Not a property (`a.main`), but a spread (`...main`) is a use.
      use: new RegExp(`(?<![\\w$])(?<!(?<!\\.)\\.)${escaped}(?![\\w$])`),
      assign: new RegExp(`(^|[^\\w$.])${escaped}\\s*=(?![=>])`),
      declare: new RegExp(`\\b(let|const|var)\\s+${escaped}(?![\\w$])`),
    };
    patterns.set(name, p);
  }
  return p;
}

/** True when the code mentions `name` as an identifier (cheap, may over-report). */
export function mentions(code: string, name: string): boolean {
  return code.includes(name) && patternsOf(name).use.test(code);
}

/** True when the code declares or assigns `name` itself (then it stops following anode, as `_` in Node). */
export function assignsName(code: string, name: string): boolean {
  if (!code.includes(name)) return false;
  const p = patternsOf(name);
  return p.assign.test(code) || p.declare.test(code);
}

/**
 * The full transformation; `name` becomes the script's sourceURL (shown in stack traces). `prelude`
 * (statements completing with undefined) runs right before the entry, in the same microtask.
 */
export function prepareSource(code: string, name: string, prelude = ''): string {
  const body = rewriteDynamicImport(wrapObjectLiteral(code));
  // The leading await moves the entry out of the inspector's dispatch, which is what makes it
  // interruptible (see notes/inspector-facts.md); `await undefined` keeps completion values unchanged.
  return `await undefined;${prelude}${body}\n//# sourceURL=${name}`;
}
