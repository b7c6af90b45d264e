// The agent: a small object installed once in the target under a registered symbol (no visible global).
// It formats values with the target's own util.inspect, offers `require` and `import()` that resolve
// like the program does, finds the entry module's exports, and computes completions without side effects.
// Its source is sent as text, so it must not reference anything outside itself.

/* eslint-disable @typescript-eslint/no-explicit-any */
import { makePreviewText } from './preview-text.js';

export const AGENT_KEY = 'anode.agent';
export const AGENT_VERSION = 7;
/** Expression that reaches the agent from code evaluated in the target. */
export const AGENT_REF = `globalThis[Symbol.for(${JSON.stringify(AGENT_KEY)})]`;
/**
 * The same, for evaluations with throwOnSideEffect: `Symbol.for` may add to the symbol registry, so V8
 * counts it as a side effect; looking the registered symbol up among the global's own symbols is not.
 */
export const AGENT_PURE_REF = `globalThis[Object.getOwnPropertySymbols(globalThis).find((s) => Symbol.keyFor(s) === ${JSON.stringify(AGENT_KEY)})]`;

/** Runs in the target (with the command-line API's `require`). Returns the agent's version. */
function installAgent(this: void, require: any, key: string, version: number, makePreviewText: (types: unknown) => (v: unknown) => string): number {
  const g = globalThis as any;
  const sym = Symbol.for(key);
  if (g[sym]?.version === version) return version;
  const util = require('util');
  const Module = require('module');
  const path = require('path');
  const url = require('url');
  const argvMain = process.argv[1];
  let mainFile: string | undefined;
  if (typeof argvMain === 'string' && argvMain !== '') {
    try {
      mainFile = require('fs').realpathSync(path.resolve(argvMain));
    } catch {
      mainFile = path.resolve(argvMain);
    }
  }
  const base = mainFile ? path.dirname(mainFile) : process.cwd();
  const anchor = path.join(base, '[anode]');
  const localRequire = Module.createRequire(mainFile ?? anchor);
  // Code compiled by the CommonJS loader gets a working dynamic import(), resolving from `base`.
  const holder = new Module(anchor, null);
  holder.filename = anchor;
  holder.paths = Module._nodeModulePaths(base);
  holder._compile('module.exports = (specifier) => import(specifier);', anchor);
  const dynamicImport = holder.exports;

  const isProxy = (v: unknown): boolean => util.types.isProxy(v);
  const previewText = makePreviewText(util.types);

  const MAX_TEXT = 1_000_000;
  const clip = (text: string): string =>
    text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n... (${text.length - MAX_TEXT} more characters)` : text;
  const inspect = (value: unknown, options: object): string =>
    clip(util.inspect(value, { showProxy: true, ...options }));

  const agent: any = {
    version,
    mainFile,
    require: localRequire,
    import: dynamicImport,
    setLast: undefined as undefined | ((v: unknown) => void),
    setLastError: undefined as undefined | ((v: unknown) => void),
    setMain: undefined as undefined | ((v: unknown) => void),
    /** Each console's own `_` / `_error` (keyed `CONSOLE:_`), restored when that console uses them. */
    kept: new Map<string, unknown>(),
    /**
     * Each console's last printed result (keyed by console), with the entry it belongs to: the reply to an
     * entry whose promise the inspector lost ("Promise was collected") is read back from here. The next
     * entry of that console replaces it.
     */
    replies: new Map<string, { entry: string; text: string }>(),
    /** Formats a result (an entry's own expression hands its value here). Also makes it `_` (and this console's `_`). */
    present(value: unknown, options: object, assign: boolean, key?: string, entry?: string): string {
      // A promise the console shows is the console's to handle: its rejection must not end the program
      // (Node's default for an unhandled rejection); it prints as `<rejected>`, and `await _` rethrows it.
      // (util.types.isPromise: `instanceof` would run a Proxy's getPrototypeOf trap, on the value or its prototypes.)
      if (util.types.isPromise(value)) Promise.prototype.then.call(value, undefined, () => undefined);
      if (assign) agent.setLast?.(value);
      if (assign && key) agent.kept.set(`${key}:_`, value);
      const text = inspect(value, options);
      if (key && entry) agent.replies.set(key, { entry, text });
      return text;
    },
    /** `present` for a value held by the inspector: `this` is the value. */
    format(this: unknown, options: object, assign: boolean, key?: string): string {
      return agent.present(this, options, assign, key);
    },
    /** Formats a thrown value the way Node's REPL does, and makes it `_error`. */
    formatError(this: unknown, options: object, assign: boolean, key?: string): string {
      if (assign) agent.setLastError?.(this);
      if (assign && key) agent.kept.set(`${key}:_error`, this);
      const err: any = this;
      if (err instanceof SyntaxError || (err && err.name === 'SyntaxError' && typeof err.stack === 'string')) {
        return `Uncaught ${err.name}: ${err.message}`;
      }
      return `Uncaught ${inspect(err, options)}`;
    },
    /** The program's console.* arguments as its console would print them. */
    formatArgs(colors: boolean, args: unknown[]): string {
      return util.formatWithOptions({ colors }, ...args);
    },
    /**
     * Property names along the prototype chain, for completion; reads no property values and stops at a
     * Proxy (its traps are the program's code). Free of side effects: run with throwOnSideEffect.
     */
    propertyNames(obj: unknown): string[] {
      const names = new Set<string>();
      for (let o: any = obj; o !== null && o !== undefined && !isProxy(o) && names.size < 5000; o = Object.getPrototypeOf(o)) {
        for (const name of Object.getOwnPropertyNames(o)) {
          if (names.size >= 5000) break;
          if (!/^\d+$/.test(name)) names.add(name);
        }
      }
      return [...names];
    },
    /** The eager preview's one-line text of a value (preview-text.ts); none for a Proxy. Side-effect free. */
    preview(value: unknown): string {
      return isProxy(value) ? '' : previewText(value);
    },
    /** Builtin modules and the packages the program can require, for `require('` completion. */
    moduleNames(): string[] {
      const fs = require('fs');
      const builtins = Module.builtinModules.filter((n: string) => !n.startsWith('_'));
      const names = new Set<string>([...builtins, ...builtins.map((n: string) => (n.startsWith('node:') ? n : `node:${n}`))]);
      for (const dir of holder.paths as string[]) {
        let entries: string[] = [];
        try {
          entries = fs.readdirSync(dir);
        } catch {
          continue;
        }
        for (const e of entries) {
          if (e.startsWith('.')) continue;
          if (!e.startsWith('@')) names.add(e);
          else for (const sub of fs.readdirSync(path.join(dir, e))) names.add(`${e}/${sub}`);
        }
      }
      return [...names];
    },
    /** The entry module's exports: module.exports for CommonJS, the namespace for ESM. */
    async loadMain(): Promise<unknown> {
      if (!mainFile) return undefined;
      const cached = Module._cache[mainFile];
      let value: unknown;
      if (cached) value = cached.exports;
      else {
        const pending = dynamicImport(url.pathToFileURL(mainFile).href);
        value = await Promise.race([pending, new Promise((r) => setTimeout(r, 500, undefined))]);
      }
      agent.setMain?.(value);
      return value;
    },
  };
  Object.defineProperty(g, sym, { value: agent, configurable: true, enumerable: false, writable: false });
  return version;
}

/** The expression that installs the agent (evaluated with includeCommandLineAPI so `require` exists). */
export const INSTALL_AGENT = `(${installAgent.toString()})(require, ${JSON.stringify(AGENT_KEY)}, ${AGENT_VERSION}, ${makePreviewText.toString()})`;

/** Runs in the target: which of `names` are free to be declared as console bindings. */
function freeNames(this: void, names: string[], lexical: string[]): string[] {
  const taken = new Set(lexical);
  return names.filter((n) => !taken.has(n) && !(n in globalThis));
}
export const FREE_NAMES = freeNames.toString();

/**
 * The REPL-mode source that declares the console's bindings (`_`, `_error`, `require`, `main`, `scope`) as global
 * lexical bindings: they are not properties of globalThis, so the program's own view of its globals is
 * unchanged. Only names that are free are declared.
 */
export function bindingsSource(free: string[]): string {
  const parts: string[] = [];
  const has = (n: string): boolean => free.includes(n);
  if (has('_')) parts.push(`let _; ${AGENT_REF}.setLast = (v) => { _ = v; };`);
  if (has('_error')) parts.push(`let _error; ${AGENT_REF}.setLastError = (v) => { _error = v; };`);
  if (has('require')) parts.push(`let require = ${AGENT_REF}.require;`);
  if (has('main')) parts.push(`let main; ${AGENT_REF}.setMain = (v) => { main = v; };`);
  if (has('scope')) parts.push(`let scope; ${AGENT_REF}.setScope = (v) => { scope = v; };`);
  return parts.join('\n');
}
