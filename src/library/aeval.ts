// aeval: evaluate a string in this process with the console's semantics (top-level await, let/const
// redeclaration, `{...}` as an object) and resolve to the value itself, not its text.
import { AbortedError } from '../errors.js';
import { primitiveOf } from '../session/remote-object.js';
import { prepareSource } from '../session/source.js';
import { contextEntry } from './context.js';
import { localSession } from './local.js';
import { ignoreFailure, ignored } from '../log/debug.js';

const HANDOFF = Symbol.for('anode.aeval');
let seq = 0;

/** Evaluates `code` in this process; resolves to its value, rejects with what it throws. */
export async function aeval(code: string, options: { signal?: AbortSignal } = {}): Promise<unknown> {
  const { signal } = options;
  if (signal?.aborted) throw new AbortedError(signal.reason);
  const session = await localSession();
  const ch = session.evalChannel;
  const group = `anode-aeval-${++seq}`;
  const entry = contextEntry();
  const run = ch.send('Runtime.evaluate', {
    expression: prepareSource(code, session.nextScriptName(), entry ? { before: entry.before } : {}).source,
    replMode: true,
    awaitPromise: true,
    objectGroup: group,
  });
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortedError(signal?.reason));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  run.catch((err: unknown) => ignored('aeval: the evaluation (its failure is reported by the race below)', err));
  try {
    const r = await Promise.race([run, aborted]);
    const remote = r.exceptionDetails ? r.exceptionDetails.exception : r.result;
    let value: unknown = remote ? primitiveOf(remote) : new Error(r.exceptionDetails?.text ?? 'evaluation failed');
    if (remote?.objectId) value = await fetchValue(remote.objectId);
    if (r.exceptionDetails) throw value;
    return value;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) ch.abandon?.(run);
    entry?.forget();
    ignoreFailure(ch.send('Runtime.releaseObjectGroup', { objectGroup: group }), 'aeval: releasing its object group');
  }
}

/** Hands an object from the inspector's world to ours: same process, so through a global map. */
async function fetchValue(objectId: string): Promise<unknown> {
  const session = await localSession();
  const key = `v${++seq}`;
  const g = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  const handoff = (g[HANDOFF] ??= new Map());
  try {
    await session.evalChannel.send('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function (k) { globalThis[Symbol.for('anode.aeval')].set(k, this); }`,
      arguments: [{ value: key }],
    });
    return handoff.get(key);
  } finally {
    handoff.delete(key);
  }
}
