// Reading the program's objects without running its code, for the parts of `.loop` that run in the target
// (sent as text: self-contained, like target-collect.ts). A property is read only when it is a data
// property or an accessor whose getter is native (a C++ field of a handle); Proxies are recognised before
// anything touches them; only native methods are called.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** Runs in the target: the readers, sharing caches for one collection. */
export function safeReaders(this: void, agent: any) {
  const util = agent.require('util');
  const isProxy = (v: unknown): boolean => util.types.isProxy(v);
  // Function.prototype.toString from a fresh context: the program may have replaced its own.
  agent.pristineToString ??= agent.require('vm').runInNewContext('Function.prototype.toString');
  const toText: (this: unknown) => string = agent.pristineToString;
  const isObj = (o: unknown): o is object => o !== null && (typeof o === 'object' || typeof o === 'function');
  const natives = new Map<unknown, boolean>();
  const isNative = (f: unknown): f is (...a: unknown[]) => unknown => {
    if (typeof f !== 'function') return false;
    let known = natives.get(f);
    if (known === undefined) natives.set(f, (known = !isProxy(f) && /\{\s*\[native code\]\s*\}\s*$/.test(toText.call(f))));
    return known;
  };
  const descriptor = (o: unknown, key: PropertyKey): PropertyDescriptor | undefined => {
    for (let p: any = o, depth = 0; isObj(p) && depth < 12; depth++) {
      if (isProxy(p)) return undefined;
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d) return d;
      p = Object.getPrototypeOf(p);
    }
    return undefined;
  };
  /** A property's value without running program code (undefined when that is not possible). */
  const read = (o: unknown, key: PropertyKey): any => {
    if (!isObj(o) || isProxy(o)) return undefined;
    const d = descriptor(o, key);
    if (!d) return undefined;
    if ('value' in d) return d.value;
    if (d.get && isNative(d.get)) {
      try {
        return d.get.call(o);
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
  /** Calls a native method of a handle; undefined unless it is native. */
  const callNative = (o: unknown, key: string, ...args: unknown[]): any => {
    const f = read(o, key);
    if (!isNative(f)) return undefined;
    try {
      return f.apply(o, args);
    } catch {
      return undefined;
    }
  };
  const inherits = (o: unknown, proto: object): boolean => {
    for (let p: any = o, depth = 0; isObj(p) && depth < 12; depth++) {
      if (isProxy(p)) return false;
      if (p === proto) return true;
      p = Object.getPrototypeOf(p);
    }
    return false;
  };
  const nameOf = (o: unknown): string => {
    const ctor = read(o, 'constructor');
    const n = typeof ctor === 'function' ? read(ctor, 'name') : undefined;
    return typeof n === 'string' && n ? n : 'Object';
  };
  // Node's own symbol-keyed fields (kHandle, timeout, refed): the symbols found once are tried first.
  const symbols = new Map<string, symbol[]>();
  const symbolValue = (o: unknown, description: string): any => {
    if (!isObj(o) || isProxy(o)) return undefined;
    const known = symbols.get(description) ?? [];
    let s = known.find((k) => Object.getOwnPropertyDescriptor(o, k) !== undefined);
    if (!s) {
      s = Object.getOwnPropertySymbols(o).find((x) => x.description === description);
      if (!s) return undefined;
      symbols.set(description, [...known, s]);
    }
    const d = Object.getOwnPropertyDescriptor(o, s);
    return d && 'value' in d ? d.value : undefined;
  };
  /** A socket's or server's native handle (sockets keep it under a symbol behind a JS accessor). */
  const handleOf = (o: unknown): unknown => {
    const h = read(o, '_handle');
    return isObj(h) ? h : symbolValue(o, 'kHandle');
  };
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const addressOf = (handle: unknown, method: 'getsockname' | 'getpeername'): string => {
    const out: any = {};
    if (callNative(handle, method, out) !== 0 || typeof out.address !== 'string') return '';
    return out.family === 'IPv6' || out.family === 6 ? `[${out.address}]:${out.port}` : `${out.address}:${out.port}`;
  };
  const hostOf = (address: string): string => address.replace(/:\d+$/, '');
  return { isProxy, toText, isObj, isNative, read, callNative, inherits, nameOf, symbolValue, handleOf, num, addressOf, hostOf };
}

export type Readers = ReturnType<typeof safeReaders>;
