// The DevTools command line API in console entries, as console bindings (global lexical bindings the
// console declares when the names are free, like `require`), never properties of the program's globals:
//   queryObjects(Ctor)       the live instances of a class (or of a prototype), as an array — the
//                            inspector's Runtime.queryObjects, through a short in-process inspector session
//                            so that it answers synchronously inside the entry (it costs a full GC);
//   getEventListeners(x)     { eventName: [listener, ...] } of an EventEmitter or EventTarget, read from
//                            its listener lists without calling any of the program's code.
// (`.loop` and the profilers live in src/loop.) Their sources are sent as text: they must not reference anything outside themselves but the agent.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { AGENT_REF } from './agent.js';

export const COMMAND_LINE_API_NAMES = ['queryObjects', 'getEventListeners'] as const;

export const COMMAND_LINE_API_HELP =
  '`queryObjects(Ctor)` lists the live instances of a class (it runs a full GC); `getEventListeners(emitter)`\n' +
  'lists its listeners by event. `.loop` shows what keeps the event loop busy; `.profile`, `.heap` and\n' +
  '`.heapsnapshot` record the program (files are written by anode, never overwritten).\n';

/** Runs in the target. */
function queryObjects(this: void, agent: any, ctor: unknown): unknown[] {
  const util = agent.require('util');
  if (util.types.isProxy(ctor)) throw new TypeError('queryObjects: a Proxy is not looked into');
  let proto: unknown = ctor;
  if (typeof ctor === 'function') {
    const d = Object.getOwnPropertyDescriptor(ctor, 'prototype');
    proto = d && 'value' in d ? d.value : undefined;
  }
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function') || util.types.isProxy(proto)) {
    throw new TypeError('queryObjects wants a class or a prototype, e.g. queryObjects(Map)');
  }
  const session = new (agent.require('inspector').Session)();
  const slot: { proto: unknown; result?: unknown[]; error?: string } = { proto };
  agent.queryObjectsSlot = slot;
  session.connect();
  try {
    const where = 'globalThis[Symbol.for("anode.agent")].queryObjectsSlot';
    // An in-process session answers during post(): the array is there when post returns.
    session.post('Runtime.evaluate', { expression: `${where}.proto` }, (e1: Error | null, r1: any) => {
      if (e1 || !r1?.result?.objectId) return void (slot.error = e1?.message ?? 'cannot reach the prototype');
      session.post('Runtime.queryObjects', { prototypeObjectId: r1.result.objectId }, (e2: Error | null, r2: any) => {
        if (e2 || !r2?.objects?.objectId) return void (slot.error = e2?.message ?? 'no answer');
        session.post('Runtime.callFunctionOn', {
          objectId: r2.objects.objectId,
          functionDeclaration: `function () { ${where}.result = this; }`,
        });
      });
    });
  } finally {
    session.disconnect();
    agent.queryObjectsSlot = undefined;
  }
  if (slot.error || !slot.result) throw new Error(`queryObjects: ${slot.error ?? 'the inspector did not answer'}`);
  return slot.result;
}

/** Runs in the target. */
function getEventListeners(this: void, agent: any, target: unknown): Record<string, unknown[]> {
  const util = agent.require('util');
  const out: Record<string, unknown[]> = {};
  if (target === null || (typeof target !== 'object' && typeof target !== 'function') || util.types.isProxy(target)) {
    throw new TypeError('getEventListeners wants an EventEmitter or an EventTarget');
  }
  const own = (o: any, key: PropertyKey): any => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || util.types.isProxy(o)) return undefined;
    const d = Object.getOwnPropertyDescriptor(o, key);
    return d && 'value' in d ? d.value : undefined;
  };
  const label = (k: PropertyKey): string => (typeof k === 'symbol' ? k.toString() : String(k));
  // EventEmitter: `_events` maps each name to a listener or an array of them; `once` wraps theirs.
  const events = own(target, '_events');
  if (events && typeof events === 'object') {
    for (const key of Reflect.ownKeys(events)) {
      const v = own(events, key);
      const list = Array.isArray(v) ? [...v] : v === undefined ? [] : [v];
      out[label(key)] = list.map((f) => own(f, 'listener') ?? f);
    }
    return out;
  }
  // EventTarget: its listeners by type, through Node's own reader.
  const kEvents = Object.getOwnPropertySymbols(target).find((s) => s.description === 'kEvents');
  const map = kEvents ? own(target, kEvents) : undefined;
  if (map instanceof Map) {
    const read = agent.require('events').getEventListeners;
    for (const type of map.keys()) out[label(type)] = read(target, type);
    return out;
  }
  throw new TypeError('getEventListeners wants an EventEmitter or an EventTarget');
}

/** REPL-mode source declaring the free ones of the API's names as console bindings. */
export function commandLineApiSource(free: readonly string[]): string {
  const parts: string[] = [];
  if (free.includes('queryObjects')) {
    parts.push(`let queryObjects = (ctor) => (${queryObjects.toString()})(${AGENT_REF}, ctor);`);
  }
  if (free.includes('getEventListeners')) {
    parts.push(`let getEventListeners = (target) => (${getEventListeners.toString()})(${AGENT_REF}, target);`);
  }
  return parts.join('\n');
}
