// Small conversions between the target's values (CDP RemoteObjects) and this side, shared by the
// evaluator, the session, `.scope`, completion and mirrored program output.
import type { Protocol } from 'devtools-protocol';
import type { Channel } from './channel.js';

type RemoteObject = Protocol.Runtime.RemoteObject;

/** The JavaScript value of a primitive RemoteObject (everything without an objectId). */
export function primitiveOf(o: RemoteObject): unknown {
  if (o.type === 'undefined') return undefined;
  if (o.unserializableValue !== undefined) {
    const u = o.unserializableValue;
    return u.endsWith('n') ? BigInt(u.slice(0, -1)) : Number(u);
  }
  return o.value;
}

/** A primitive RemoteObject as JavaScript source, to hand it back to the target inside an expression. */
export function sourceOf(o: RemoteObject): string {
  if (o.type === 'undefined') return 'undefined';
  if (o.unserializableValue !== undefined) return o.unserializableValue;
  return JSON.stringify(o.value);
}

/** Any RemoteObject as an argument of Runtime.callFunctionOn. */
export function argumentOf(o: RemoteObject): Protocol.Runtime.CallArgument {
  if (o.objectId) return { objectId: o.objectId };
  if (o.unserializableValue !== undefined) return { unserializableValue: o.unserializableValue };
  if (o.type === 'undefined') return {};
  return { value: o.value };
}

/**
 * Evaluates a plain, synchronous expression and returns its JSON value; throws (an Error with the target's
 * description) on an exception. Never awaits a promise: a program held by --wait runs no microtasks.
 */
export async function evalValue<T>(ch: Channel, expression: string, timeout?: number): Promise<T> {
  const r = await ch.send('Runtime.evaluate', { expression, returnByValue: true, ...(timeout ? { timeout } : {}) });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
  return r.result.value as T;
}
