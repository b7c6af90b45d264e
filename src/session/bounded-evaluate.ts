// anode's own looks into the target (the eager preview, completion) as ONE Runtime.evaluate each, with
// throwOnSideEffect and a timeout, returning plain JSON: the program's code cannot run (a getter, a call
// with effects, a Proxy trap all throw instead), and no RemoteObject of the program's value is made (on
// Node 20, V8's inspector describing an object whose prototype is a Proxy already runs that Proxy's `get`
// trap). A look that ran out of time (e.g. in a builtin V8 cannot interrupt: listing a million keys) is not
// taken again for the same text for a while: the program pays for it once, not on every key.
import { isTargetClosed } from '../errors.js';
import { ignored } from '../log/debug.js';
import type { Channel } from './channel.js';

/** How long a look that ran out of time is not taken again for the same text. */
const SKIP_MS = 30_000;
/** How many such texts are remembered per channel. */
const REMEMBERED = 100;

const tooSlow = new WeakMap<Channel, Map<string, number>>();

/**
 * The JSON value of `expression`, or undefined when it throws, would have a side effect, or runs out of
 * time (`key` names the look: one that ran out of time is not taken again for a while).
 */
export async function lookInto<T>(ch: Channel, key: string, expression: string, timeoutMs: number): Promise<T | undefined> {
  let slow = tooSlow.get(ch);
  const until = slow?.get(key);
  if (until !== undefined && until > Date.now()) return undefined;
  try {
    const r = await ch.send('Runtime.evaluate', { expression, throwOnSideEffect: true, timeout: timeoutMs, returnByValue: true });
    return r.exceptionDetails ? undefined : (r.result.value as T);
  } catch (err) {
    // Out of time is an error reply ("Execution was terminated"); a target that went away still throws.
    if (isTargetClosed(err)) throw err;
    ignored(`anode's own look into the program (${key})`, err);
    if (!slow) tooSlow.set(ch, (slow = new Map()));
    slow.set(key, Date.now() + SKIP_MS);
    if (slow.size > REMEMBERED) slow.delete(slow.keys().next().value!);
    return undefined;
  }
}
