// Tab completion computed in the target, as Node's REPL does, but never running the program's code:
// the object being completed is evaluated with throwOnSideEffect (a getter, a call with effects, an
// assignment, a Proxy trap all throw instead of running) under a short timeout, and its property names are listed by
// the agent without touching getters, in the same evaluation (bounded-evaluate.ts). A Proxy is never
// touched (its traps are the program's code): the agent asks V8 (util.types.isProxy) before each step
// along the prototype chain and stops there.
import type { Protocol } from 'devtools-protocol';
import { AGENT_PURE_REF, AGENT_REF } from './agent.js';
import { builtinNames } from './builtin-names.js';
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
    const [lexical, globals, builtins] = await Promise.all([
      session.evalChannel.send('Runtime.globalLexicalScopeNames').then((r) => r.names, () => [] as string[]),
      listIn(session, `${AGENT_PURE_REF}.propertyNames(globalThis)`),
      builtinNames(session),
    ]);
    return [filter([...lexical, ...globals, ...builtins, ...KEYWORDS], partial), partial];
  }
  if (/^\d/.test(objectPath)) return [[], partial];
  // `fs.re`: a built-in module by name (see builtin-names.ts) is loaded by the agent, not run as an
  // expression under the side-effect check (loading a module has effects); a name of the program's own wins.
  if (/^[a-z][a-z0-9_]*$/.test(objectPath) && (await builtinNames(session)).has(objectPath)) {
    const own = await session.evalChannel.send('Runtime.globalLexicalScopeNames').then((r) => r.names.includes(objectPath), () => true);
    const global = own || (await lookInto<boolean>(session.evalChannel, `global:${objectPath}`, `Object.hasOwn(globalThis, ${JSON.stringify(objectPath)})`, TIMEOUT_MS));
    if (!global) return [filter(await listIn(session, `${AGENT_PURE_REF}.propertyNames(${AGENT_REF}.builtinFor(${JSON.stringify(objectPath)}))`, false), partial), partial];
  }
  const names = await lookInto<string[]>(session.evalChannel, `complete:${objectPath}`, `${AGENT_PURE_REF}.propertyNames((\n${objectPath}\n))`, TIMEOUT_MS);
  if (Array.isArray(names)) return [filter(names, partial), partial];
  return [filter(await throughNamespace(session, objectPath), partial), partial];
}

/**
 * `main.todos.fil`: V8 counts reading an ES module namespace's export as a side effect, so the checked
 * look fails. When the path starts at a namespace, it is followed through own data properties and the
 * namespace's exports (below); no getter of the program's called, no Proxy entered.
 */
async function throughNamespace(session: EvalSession, objectPath: string): Promise<string[]> {
  const first = objectPath.split(/\??\./)[0]!;
  if (!/^[\w$]+$/.test(first) || first === objectPath) return [];
  const isNamespace = `Object.prototype.toString.call(${first}) === '[object Module]'`;
  if ((await lookInto<boolean>(session.evalChannel, `namespace:${first}`, isNamespace, TIMEOUT_MS)) !== true) return [];
  const objectGroup = `anode-completion-${++completions}`;
  try {
    const target = await throughOwnValues(session, objectPath, objectGroup);
    if (!target?.result.objectId) {
      const value = target?.result.value;
      if (value === undefined || value === null) return [];
      return listIn(session, `${AGENT_PURE_REF}.propertyNames(Object(${JSON.stringify(value)}))`);
    }
    const r = await session.evalChannel.send('Runtime.callFunctionOn', {
      objectId: target.result.objectId,
      functionDeclaration: `function () { return ${AGENT_PURE_REF}.propertyNames(this); }`,
      returnByValue: true,
    });
    return (r.result.value as string[] | undefined) ?? [];
  } finally {
    await session.evalChannel.send('Runtime.releaseObjectGroup', { objectGroup }).catch((err: unknown) => ignored('completion: releasing its object group', err));
  }
}

/**
 * V8 counts reading an ES module namespace's export as a possible side effect, so `main.todos` fails
 * under throwOnSideEffect. The path is then followed through own data properties as the inspector lists
 * them (Runtime.getProperties) and a namespace's exports: no getter of the program's called, no Proxy entered.
 */
async function throughOwnValues(session: EvalSession, objectPath: string, objectGroup: string): Promise<{ result: Protocol.Runtime.RemoteObject; exceptionDetails?: undefined } | undefined> {
  const [first, ...rest] = objectPath.split(/\??\./);
  if (!first || rest.length === 0) return undefined;
  const start = await session.evalChannel.send('Runtime.evaluate', { expression: first, throwOnSideEffect: true, timeout: TIMEOUT_MS, objectGroup });
  if (start.exceptionDetails) return undefined;
  let current = start.result;
  for (const name of rest) {
    if (!current.objectId || current.subtype === 'proxy') return undefined;
    const { result } = await session.evalChannel.send('Runtime.getProperties', { objectId: current.objectId, ownProperties: true });
    const property = result.find((p) => p.name === name);
    if (!property) return undefined;
    if (property.value) {
      current = property.value;
      continue;
    }
    // A namespace's exports are listed as V8's own accessors, which read the module's binding and run
    // no code of the program's.
    if (current.className !== 'Module' || !property.get) return undefined;
    const read = await session.evalChannel.send('Runtime.callFunctionOn', {
      objectId: current.objectId,
      functionDeclaration: 'function (name) { return this[name]; }',
      arguments: [{ value: name }],
      objectGroup,
    });
    if (read.exceptionDetails) return undefined;
    current = read.result;
  }
  return current.subtype === 'proxy' ? undefined : { result: current };
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
