// Node's built-in modules by name, as in Node's REPL (`fs.readFileSync(...)`, `util.inspect(...)`): the
// first entry that mentions one gets it as a console binding, a REPL-mode lexical binding like `_` and
// `main`, so it never becomes a property of the program's globalThis. A name the program already uses
// (a global such as `crypto`, or its own lexical binding) is left alone, and so is a name the entry itself
// declares or assigns (`var path = 42`).
import { AGENT_REF } from './agent.js';
import type { EvalSession } from './session.js';
import { evalValue } from './remote-object.js';
import { assignsName, mentions } from './source.js';

interface Builtins {
  /** The target's built-in modules that Node's REPL offers by name (no `_` internals, no `a/b`). */
  names: Promise<Set<string>>;
  /** Names already decided: bound by anode, or the program's own. */
  decided: Set<string>;
}
const perSession = new WeakMap<EvalSession, Builtins>();

const LIST = `require('module').builtinModules.filter((n) => !n.startsWith('_') && !n.includes('/') && !n.startsWith('node:'))`;

function builtinsOf(session: EvalSession): Builtins {
  let b = perSession.get(session);
  if (!b) {
    const names = evalValue<string[]>(session.evalChannel, `${AGENT_REF}.require === undefined ? [] : ${LIST.replace('require', `${AGENT_REF}.require`)}`)
      .then((list) => new Set(list))
      .catch(() => new Set<string>());
    b = { names, decided: new Set() };
    perSession.set(session, b);
  }
  return b;
}

/** Words of `code` that could name a built-in module (a cheap scan; strings and properties included). */
function words(code: string): Set<string> {
  return new Set(code.match(/(?<![\w$.])[a-z][a-z0-9_]*(?![\w$])/g) ?? []);
}

/** Declares the built-in modules `code` uses by name and the console has not bound yet. */
export async function bindBuiltins(session: EvalSession, code: string): Promise<void> {
  const b = builtinsOf(session);
  const candidates = [...words(code)].filter((w) => !b.decided.has(w));
  if (candidates.length === 0) return;
  const names = await b.names;
  const wanted = candidates.filter((n) => names.has(n) && mentions(code, n) && !assignsName(code, n));
  if (wanted.length === 0) return;
  const { names: lexical } = await session.evalChannel.send('Runtime.globalLexicalScopeNames');
  const taken = new Set(lexical);
  const free = await evalValue<string[]>(session.evalChannel, `${JSON.stringify(wanted.filter((n) => !taken.has(n)))}.filter((n) => !(n in globalThis))`);
  for (const n of wanted) b.decided.add(n);
  if (free.length === 0) return;
  const declarations = free.map((n) => `${n} = ${AGENT_REF}.require(${JSON.stringify(n)})`).join(', ');
  await session.evalChannel.send('Runtime.evaluate', { expression: `let ${declarations};`, replMode: true });
}
