// The parts of `.scope` that run in the target: they are sent as text (Function.prototype.toString), so
// each must not reference anything outside itself; what they need comes in through `agent`.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-function-type */

/** Where a module is, and its module system, or why it cannot be found. */
export interface Resolved {
  file?: string;
  url?: string;
  cjs?: boolean;
  error?: string;
}

/** Runs in the target: the absolute file of `spec` as the program resolves it, and its module system. */
export function resolveModule(this: void, agent: any, spec: string | null): Resolved {
  const path = agent.require('path');
  const fs = agent.require('fs');
  let file: string | undefined = spec === null ? agent.mainFile : undefined;
  if (spec === null && !file) return { error: 'this console has no entry module (no program file); try .scope FILE' };
  if (spec !== null) {
    try {
      file = agent.require.resolve(spec);
    } catch {
      file = path.resolve(process.cwd(), spec);
    }
  }
  try {
    file = fs.realpathSync(file);
  } catch {
    return { error: `cannot find ${spec ?? file}` };
  }
  const cjs = Boolean(agent.require('module')._cache[file as string]);
  return { file, url: agent.require('url').pathToFileURL(file).href, cjs };
}

/** Runs in the target: functions likely defined by the module (exports, listeners), at most `max`. */
export async function moduleFunctions(this: void, agent: any, file: string, url: string, cjs: boolean, max: number): Promise<Function[]> {
  const util = agent.require('util');
  const out: Function[] = [];
  const seen = new Set<unknown>();
  const add = (f: unknown): void => {
    if (typeof f === 'function' && !seen.has(f) && out.length < max && !util.types.isProxy(f)) {
      seen.add(f);
      out.push(f as Function);
    }
  };
  const members = (o: any): void => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || util.types.isProxy(o)) return;
    add(o);
    const owners = [o, Object.getPrototypeOf(o), typeof o === 'function' ? o.prototype : undefined];
    for (const owner of owners) {
      if (!owner || owner === Object.prototype || owner === Function.prototype || util.types.isProxy(owner)) continue;
      for (const key of Reflect.ownKeys(owner)) {
        const d = Object.getOwnPropertyDescriptor(owner, key);
        if (d) for (const f of [d.value, d.get, d.set]) add(f);
      }
    }
  };
  if (cjs) members(agent.require('module')._cache[file]?.exports);
  else {
    const ns = await Promise.race([agent.import(url).catch(() => undefined) /* runs in the target: a module that fails to import has no scope */, new Promise((r) => setTimeout(r, 300, undefined))]);
    if (ns) {
      for (const key of Object.keys(ns)) {
        try {
          members((ns as any)[key]);
        } catch {
          // An export still in its temporal dead zone.
        }
      }
    }
  }
  const emitters = [process, ...(process as any)._getActiveHandles()];
  for (const e of emitters) {
    if (typeof e?.eventNames !== 'function') continue;
    for (const name of e.eventNames()) for (const l of e.rawListeners(name)) add(l);
  }
  return out;
}

/** Runs in the target (`this`: every function of the heap): those whose text appears in `source`. */
export function functionsInSource(this: Function[], source: string, max: number, budgetMs: number): Function[] {
  const end = Date.now() + budgetMs;
  const out: Function[] = [];
  const toString = Function.prototype.toString;
  for (let i = 0; i < this.length && out.length < max; i++) {
    if ((i & 255) === 0 && Date.now() > end) break;
    const f = this[i]!;
    let text: string;
    try {
      text = toString.call(f);
    } catch {
      continue;
    }
    if (text.length > 10 && text.length <= source.length && !text.endsWith('{ [native code] }') && source.includes(text)) out.push(f);
  }
  return out;
}
