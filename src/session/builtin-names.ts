// Node's built-in modules by name, as in Node's REPL (`fs.readFileSync(...)`, `util.inspect(...)`): which
// names the target offers (asked once per session). An entry's references to them read the agent's
// `lib` (see prepareSource): nothing is declared, so no name becomes a global of the program or a
// binding that a later `const fs = ...` would collide with, and a global the program has wins.
import { AGENT_REF } from './agent.js';
import { evalValue } from './remote-object.js';
import type { EvalSession } from './session.js';
import { ignored } from '../log/debug.js';

const perSession = new WeakMap<EvalSession, Promise<ReadonlySet<string>>>();

/** The built-in module names of the session's target (empty when they cannot be read). */
export function builtinNames(session: EvalSession): Promise<ReadonlySet<string>> {
  let names = perSession.get(session);
  if (!names) {
    names = evalValue<string[] | undefined>(session.evalChannel, `${AGENT_REF}.builtinNames`).then(
      (list) => new Set(list ?? []),
      (err: unknown) => {
        ignored('reading the built-in module names', err);
        return new Set<string>();
      },
    );
    perSession.set(session, names);
  }
  return names;
}
