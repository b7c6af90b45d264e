// The debug log: `NODE_DEBUG=anode` (Node's own util.debuglog) shows CDP and protocol traffic and every
// failure anode ignores on purpose. Nothing is swallowed silently: what is ignored goes through here.
import { debuglog } from 'node:util';

/** Writes one line to the debug log (a no-op unless NODE_DEBUG names anode). */
export const debug = debuglog('anode');

/** True when the debug log is on, so callers can skip building costly messages. */
export function debugEnabled(): boolean {
  return debug.enabled;
}

/** Records a failure that is deliberately ignored, with what was being done. */
export function ignored(what: string, err: unknown): void {
  if (debug.enabled) debug('ignored: %s: %s', what, err instanceof Error ? err.message : String(err));
}

/** Lets `promise` fail without an unhandled rejection, logging the failure as ignored. */
export function ignoreFailure(promise: PromiseLike<unknown> | undefined, what: string): void {
  if (promise) Promise.resolve(promise).catch((err: unknown) => ignored(what, err));
}
