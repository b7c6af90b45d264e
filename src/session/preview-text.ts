// The eager preview's formatter, run in the target by the agent: one line like Node's util.inspect (depth
// 1: the value and one level inside it, compact), but built only from operations V8 knows to be free of side effects, so that it runs with
// throwOnSideEffect and a timeout (util.inspect cannot: V8 sees side effects in it). It never reads a
// getter, never touches a Proxy (shown as `[Proxy]`; its traps are the program's code), never calls
// [util.inspect.custom], toString or valueOf, and it is bounded in size (items, characters).
// Its source is sent as text: it must not reference anything outside itself.

/* eslint-disable @typescript-eslint/no-explicit-any */
export function makePreviewText(types: any): (value: unknown) => string {
  const MAX_ITEMS = 12;
  const MAX_STRING = 120;
  const MAX_TEXT = 2000;
  const getOwn = Object.getOwnPropertyDescriptor;
  const protoOf = Object.getPrototypeOf;
  const mapSize = getOwn(Map.prototype, 'size')!.get!;
  const setSize = getOwn(Set.prototype, 'size')!.get!;

  /** Single-quoted like util.inspect; built char by char (String#split/replace are not side-effect free for V8 on every line). */
  const quote = (text: string): string => {
    const cut = text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text;
    let out = "'";
    for (let i = 0; i < cut.length; i++) {
      const c = cut.charCodeAt(i);
      if (c === 39) out += "\\'";
      else if (c === 92) out += '\\\\';
      else if (c === 10) out += '\\n';
      else if (c < 32 || c === 127) out += `\\x${c < 16 ? '0' : ''}${c.toString(16).toUpperCase()}`;
      else out += cut[i];
    }
    return `${out}'${cut.length < text.length ? '...' : ''}`;
  };
  const keyText = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key));
  /** A data property's value, or undefined for an accessor or a missing one (nothing is run). */
  const dataOf = (o: object, key: string): unknown => {
    const d = getOwn(o, key);
    return d && 'value' in d ? d.value : undefined;
  };
  /** The name of the constructor on the prototype chain, or null for no prototype; stops at proxies. */
  const constructorName = (o: object): string | null | undefined => {
    for (let p = protoOf(o); ; p = protoOf(p)) {
      if (p === null) return protoOf(o) === null ? null : undefined;
      if (types.isProxy(p)) return undefined;
      const ctor = dataOf(p, 'constructor');
      if (typeof ctor === 'function' && !types.isProxy(ctor)) {
        const name = dataOf(ctor, 'name');
        if (typeof name === 'string' && name !== '') return name;
      }
    }
  };
  const entries = (o: object, keys: string[], depth: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < keys.length && i < MAX_ITEMS; i++) {
      const d = getOwn(o, keys[i]!);
      if (!d) continue;
      const shown = d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : d.set ? '[Setter]' : format(d.value, depth + 1);
      out.push(`${keyText(keys[i]!)}: ${shown}`);
    }
    if (keys.length > MAX_ITEMS) out.push(`... ${keys.length - MAX_ITEMS} more items`);
    return out;
  };
  const braces = (prefix: string, items: string[], open = '{', close = '}'): string =>
    items.length === 0 ? `${prefix}${open}${close}` : `${prefix}${open} ${items.join(', ')} ${close}`;

  function format(v: unknown, depth: number): string {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return quote(v);
      case 'number':
        return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint':
        return `${String(v)}n`;
      case 'boolean':
      case 'undefined':
        return String(v);
      case 'symbol':
        return Symbol.prototype.toString.call(v);
      default:
    }
    if (types.isProxy(v)) return '[Proxy]';
    const o = v as object;
    if (typeof o === 'function') {
      const name = dataOf(o, 'name');
      const kind = /^class\b/.test(Function.prototype.toString.call(o)) ? 'class' : 'Function';
      return typeof name === 'string' && name !== '' ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
    }
    const ctor = constructorName(o);
    if (Array.isArray(o)) {
      if (depth > 2) return '[Array]';
      const length = dataOf(o, 'length') as number;
      const items: string[] = [];
      for (let i = 0; i < length && i < MAX_ITEMS; i++) {
        const d = getOwn(o, String(i));
        items.push(!d ? '<1 empty item>' : d.get ? '[Getter]' : format(d.value, depth + 1));
      }
      if (length > MAX_ITEMS) items.push(`... ${length - MAX_ITEMS} more items`);
      return braces(ctor === 'Array' ? '' : `${ctor ?? 'Array'}(${length}) `, items, '[', ']');
    }
    if (types.isDate(o)) {
      const time = Date.prototype.getTime.call(o);
      return time === time ? Date.prototype.toISOString.call(o) : 'Invalid Date';
    }
    if (types.isMap(o)) return `${ctor ?? 'Map'}(${mapSize.call(o)}) {${mapSize.call(o) > 0 ? ' ... ' : ''}}`;
    if (types.isSet(o)) return `${ctor ?? 'Set'}(${setSize.call(o)}) {${setSize.call(o) > 0 ? ' ... ' : ''}}`;
    if (types.isPromise(o)) return `${ctor ?? 'Promise'} { ... }`;
    if (types.isNativeError(o)) {
      const message = dataOf(o, 'message');
      return typeof message === 'string' && message !== '' ? `[${ctor ?? 'Error'}: ${message}]` : `[${ctor ?? 'Error'}]`;
    }
    if (types.isRegExp(o) || types.isBoxedPrimitive(o) || ArrayBuffer.isView(o) || types.isArrayBuffer(o)) return `[${ctor ?? 'Object'}]`;
    const prefix = ctor === null ? '[Object: null prototype] ' : ctor === undefined || ctor === 'Object' ? '' : `${ctor} `;
    if (depth > 2) return ctor === null ? '[Object: null prototype]' : `[${ctor ?? 'Object'}]`;
    return braces(prefix, entries(o, Object.keys(o), depth));
  }

  return (value: unknown): string => {
    const text = format(value, 1);
    return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
  };
}
