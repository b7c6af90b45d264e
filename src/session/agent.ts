// The agent: a small object installed once in the target under a registered symbol (no visible global).
// It formats values with the target's own util.inspect, offers `require` and `import()` that resolve
// like the program does, finds the entry module's exports, and computes completions without side effects.
// Its source is sent as text, so it must not reference anything outside itself.

/* eslint-disable @typescript-eslint/no-explicit-any */
import { makeConsoleIo } from './agent-io.js';
import { makePreviewText } from './preview-text.js';

export const AGENT_KEY = 'anode.agent';
export const AGENT_VERSION = 12;
/** Expression that reaches the agent from code evaluated in the target. */
export const AGENT_REF = `globalThis[Symbol.for(${JSON.stringify(AGENT_KEY)})]`;
/**
 * The same, for evaluations with throwOnSideEffect: `Symbol.for` may add to the symbol registry, so V8
 * counts it as a side effect; looking the registered symbol up among the global's own symbols is not.
 */
export const AGENT_PURE_REF = `globalThis[Object.getOwnPropertySymbols(globalThis).find((s) => Symbol.keyFor(s) === ${JSON.stringify(AGENT_KEY)})]`;

/**
 * Runs in the target (with a `require` of Node's built-in modules: see BUILTINS). Returns the agent's version,
 * or NEEDS_COMMAND_LINE_API when it was given no `require`. `main` is the entry file when it is not
 * `process.argv[1]` (a worker thread's own file; null: none, a worker from a string).
 */
function installAgent(
  this: void,
  require: any,
  key: string,
  version: number,
  makePreviewText: (types: unknown) => (v: unknown) => string,
  makeConsoleIo: (util: unknown) => unknown,
  main?: string | null,
): number {
  const g = globalThis as any;
  const sym = Symbol.for(key);
  if (g[sym]?.version === version) return version;
  if (typeof require !== 'function') return 0; // NEEDS_COMMAND_LINE_API (the function runs in the target: no imports)
  const util = require('util');
  const Module = require('module');
  const path = require('path');
  const url = require('url');
  const vm = require('vm');
  const argvMain = main === undefined ? process.argv[1] : main;
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
  const inspect = (value: unknown, options: object): string => clip(util.inspect(value, { ...replDefaults, ...options }));

  /** The options results are printed with: `util.inspect.replDefaults` in Node's REPL. */
  const replDefaults: any = { ...util.inspect.defaultOptions, showProxy: true };
  /**
   * An error's own `stack` string: a data property (Node 20), or V8's own accessor (Node 22+), never a
   * getter the program defined.
   */
  const ownStack = (o: object): string | undefined => {
    const d = Object.getOwnPropertyDescriptor(o, 'stack');
    if (!d) return undefined;
    if ('value' in d) return typeof d.value === 'string' ? d.value : undefined;
    if (typeof d.get !== 'function' || !/\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(d.get))) return undefined;
    const value = d.get.call(o);
    return typeof value === 'string' ? value : undefined;
  };
  const setStack = (o: any, stack: string): void => {
    try {
      o.stack = stack;
    } catch {
      // A frozen error keeps its stack: it prints with it.
    }
  };
  /** Node's REPL prefix: `Uncaught ` before the line that names the error, `Uncaught:` on its own when that line is long. */
  const uncaught = (text: string, breakLength: number): string => {
    const lines = text.split(/(?<=\n)/);
    let matched = false;
    let out = '';
    for (const line of lines) {
      if (!matched && /^\[?([A-Z][a-z0-9_]*)*Error/.test(line)) {
        out += breakLength >= line.length ? `Uncaught ${line}` : `Uncaught:\n${line}`;
        matched = true;
      } else out += line;
    }
    return matched ? out : `Uncaught${lines.length === 1 ? ' ' : ':\n'}${out}`;
  };

  // A TypeScript program (a .ts entry, or run with tsx / ts-node / type stripping): entries may carry types.
  const flags = process.execArgv.join(' ');
  const typescriptProgram =
    /\.[cm]?tsx?$/.test(mainFile ?? '') || /tsx|ts-node|strip-types|transform-types/.test(flags) || /tsx|ts-node/.test(process.env.NODE_OPTIONS ?? '');
  const stripTypeScriptTypes: ((code: string, options?: object) => string) | undefined = Module.stripTypeScriptTypes;

  /** Node's REPL's built-in modules by name: no `_` internals, no `a/b`, none that needs `node:`. */
  const builtinNames: string[] = Module.builtinModules.filter((n: string) => !n.startsWith('_') && !n.includes('/') && !n.startsWith('node:'));
  /**
   * The built-in modules an entry uses by name, loaded on first use (entries read `lib.fs` where they
   * wrote `fs`). A name the program has as a global is the program's: it is what the entry gets.
   */
  const lib: any = Object.create(null);
  for (const name of builtinNames) {
    Object.defineProperty(lib, name, { get: () => (name in globalThis ? (globalThis as any)[name] : localRequire(name)) });
  }
  /** The built-in module `name` for completion: undefined when the program has a global of that name. */
  const builtinFor = (name: string): unknown => (builtinNames.includes(name) && !(name in globalThis) ? localRequire(name) : undefined);

  const agent: any = {
    version,
    mainFile,
    builtinNames,
    lib,
    builtinFor,
    /** The requests of `ainput` / `aprint` typed at each console (agent-io.ts). */
    io: makeConsoleIo(util),
    /** 'strip': entries' types are stripped; 'unavailable': a TypeScript program on a Node without a stripper. */
    typescript: typescriptProgram ? (stripTypeScriptTypes ? 'strip' : 'unavailable') : undefined,
    /**
     * The entry without its types (Node's own module.stripTypeScriptTypes: blanks in place of the types, so
     * positions stay; enums and namespaces are transformed). Its one-time ExperimentalWarning is not the
     * program's: it is kept off the program's stderr. Returns undefined when the code is not TypeScript either.
     */
    stripTypes(code: string): string | undefined {
      if (!stripTypeScriptTypes) return undefined;
      const emitWarning = process.emitWarning;
      process.emitWarning = () => {};
      try {
        try {
          return stripTypeScriptTypes(code, { mode: 'strip' });
        } catch (err: any) {
          if (err?.code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') return undefined;
          return stripTypeScriptTypes(code, { mode: 'transform' });
        }
      } catch {
        return undefined;
      } finally {
        process.emitWarning = emitWarning;
      }
    },
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
    /**
     * Formats a thrown value the way Node's REPL does (lib/repl.js), and makes it `_error`. `entry` (the
     * code as typed and its script name) comes with a SyntaxError the entry's compilation raised: it is
     * compiled again, only compiled, to get V8's source line and caret.
     */
    formatError(
      this: unknown,
      options: any,
      assign: boolean,
      key?: string,
      entry?: { name: string; code?: string; line?: number; column?: number },
    ): string {
      if (assign) agent.setLastError?.(this);
      if (assign && key) agent.kept.set(`${key}:_error`, this);
      const err: any = this;
      const stack = err !== null && typeof err === 'object' ? ownStack(err) : undefined;
      if (stack !== undefined) {
        if (err.name === 'SyntaxError') {
          let decorated = stack;
          // Frames mean it was thrown while running (JSON.parse): only a compilation error gets the caret.
          if (entry?.code !== undefined && !/\n\s+at /.test(stack)) {
            let again: string | undefined;
            try {
              new vm.Script(entry.code, { filename: entry.name });
            } catch (e: any) {
              const s = e !== null && typeof e === 'object' ? ownStack(e) : undefined;
              if (s !== undefined && e.message === err.message) again = s;
            }
            // Code only the console accepts (top-level await) compiles otherwise: the caret where the target said.
            const line = entry.code.split('\n')[(entry.line ?? 1) - 1];
            decorated = again ?? (line === undefined ? stack : `${line}\n${' '.repeat(Math.max(0, (entry.column ?? 1) - 1))}^\n\n${stack}`);
          }
          // As Node's REPL: no `REPLn:1` line above the source line, no frames. The source line echoes what
          // was typed: its control characters are shown cat -v style (^[, ^@), so garbage sent by a client
          // never comes back as raw escapes.
          decorated = decorated.replace(/^REPL\d+:\d+\r?\n/, '').replace(/^\s+at\s.*\n?/gm, '').replace(/\n+$/, '');
          // eslint-disable-next-line no-control-regex
          decorated = decorated.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) ^ 0x40)}`));
          setStack(err, decorated);
        } else {
          // As Node's REPL: this entry's own top-level frame and everything below it are not shown (an
          // error an earlier entry made keeps its frames: Node's REPL had shown them already).
          const lines = stack.split('\n');
          const own = `at ${entry?.name ?? ''}:`;
          let top = -1;
          for (let i = lines.length - 1; i > 0 && entry; i--) {
            if (/^\s+at (async )?REPL\d+:\d+:\d+$/.test(lines[i]!) && lines[i]!.trimStart().replace('at async ', 'at ').startsWith(own)) {
              top = i;
              break;
            }
          }
          if (top > 0) setStack(err, lines.slice(0, top).join('\n'));
        }
      }
      let text = inspect(err, options);
      // Node's REPL keeps the old style of a one-line error: `Uncaught Error: foo`, not `[Error: foo]`.
      if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
      return uncaught(text, options.breakLength ?? replDefaults.breakLength ?? 128);
    },
    /** Node's `util.inspect.replDefaults` (the options results print with), defined once an entry mentions it. */
    exposeReplDefaults(): void {
      if (Object.getOwnPropertyDescriptor(util.inspect, 'replDefaults')) return;
      Object.defineProperty(util.inspect, 'replDefaults', {
        get: () => replDefaults,
        set: (options: unknown) => {
          if (options === null || typeof options !== 'object') throw new TypeError('The "options" argument must be of type object.');
          Object.assign(replDefaults, options);
        },
        enumerable: true,
        configurable: true,
      });
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

/**
 * How the agent gets Node's built-in modules: `process.getBuiltinModule` (Node 20.16+, 22.3+), taken once,
 * so the install needs no command-line API; else the command-line API's `require` (the install is then
 * sent with includeCommandLineAPI). Node 20 crashes (SIGSEGV in V8's CommandLineAPIScope) when an evaluate
 * with the command-line API arrives while the program is exiting and waits for its debuggers to leave.
 */
const BUILTINS = `(typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? ((get) => (id) => get(id))(process.getBuiltinModule) : typeof require === 'function' ? require : undefined)`;

/** What the install answers when this Node has no getBuiltinModule: send it again with the command-line API. */
export const NEEDS_COMMAND_LINE_API = 0;

/** The expression that installs the agent (see BUILTINS for its `require`). */
export const INSTALL_AGENT = `(${installAgent.toString()})(${BUILTINS}, ${JSON.stringify(AGENT_KEY)}, ${AGENT_VERSION}, ${makePreviewText.toString()}, ${makeConsoleIo.toString()})`;

/** INSTALL_AGENT for a worker thread: `require`, `main` and `import()` resolve from the worker's own file. */
export function installWorkerAgent(file: string | null): string {
  return `(${installAgent.toString()})(${BUILTINS}, ${JSON.stringify(AGENT_KEY)}, ${AGENT_VERSION}, ${makePreviewText.toString()}, ${makeConsoleIo.toString()}, ${JSON.stringify(file)})`;
}

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
  // `ainput` / `aprint` are not declared: an entry's references to them are routed to its console's own
  // (console-io.ts), and a global lexical binding would shadow a global of that name the program defines
  // later for the program's own code too.
  return parts.join('\n');
}
