// The module-level variables of an unmodified program (`.scope`, and the `scope` console binding). They are
// not globals: they live in the scope of the functions the module defines. Without pausing the program, on
// the EVENT channel: list the module's script ids (Debugger.enable, then disable at once), find functions
// defined in that script (its exports, listeners of active handles and of process, timer callbacks, else a
// bounded heap search), and read the outermost Closure (CommonJS wrapper) or the Module scope from their
// [[Scopes]]. Objects come back as the program's live instances. A top-level declaration that no function
// uses has no slot there (V8 dropped it): it is reported as optimized away.
import type { Protocol } from 'devtools-protocol';
import { isTargetClosed } from '../errors.js';
import { AGENT_REF } from './agent.js';
import type { Channel } from './channel.js';
import { topLevelNames } from './module-declarations.js';
import { argumentOf, evalValue } from './remote-object.js';
import { functionsInSource, moduleFunctions, resolveModule, type Resolved } from './scope-target.js';
import type { EvalSession } from './session.js';
import { ignored } from '../log/debug.js';

type RemoteObject = Protocol.Runtime.RemoteObject;

const GROUP = 'anode-scope';
const MAX_CANDIDATES = 200;
const HEAP_SEARCH_MS = 200;
const BATCH = 16;
const CJS_WRAPPER_NAMES = ['exports', 'require', 'module', '__filename', '__dirname'];

/** One module's scope as read from the target. */
interface ModuleScope {
  file: string;
  kind: 'CommonJS' | 'ES module';
  /** Live bindings found in the scope, in the scope's order. */
  bindings: { name: string; value: RemoteObject }[];
  /** Declared at top level but absent from the scope. */
  dropped: string[];
  /** Any object of the group, to call functions on (callFunctionOn needs one). */
  anchor: string;
}

/** A module that cannot be read, with the reason in words. */
class ScopeUnavailable extends Error {}

/** Why the scope could not be read; a target that is gone is the session's business (rethrown). */
function unavailable(err: unknown): string {
  if (isTargetClosed(err)) throw err;
  if (err instanceof ScopeUnavailable) return err.message;
  return `cannot read the module scope (${(err as Error).message})`;
}

/** The text of `.scope [FILE]`: each top-level variable with its value, or why it cannot be read. */
export async function describeScope(session: EvalSession, spec: string | undefined, colors: boolean): Promise<string> {
  try {
    return await withModuleScope(session, spec, async (ch, scope) => {
      const names = scope.bindings.map((b) => b.name);
      const r = await ch.send('Runtime.callFunctionOn', {
        objectId: scope.anchor,
        functionDeclaration: `function (colors, ...values) {
          const util = ${AGENT_REF}.require('util');
          const options = { colors, depth: 1, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 };
          return values.map((v) => {
            const text = util.inspect(v, options);
            const plain = util.stripVTControlCharacters(text);
            return plain.length > 160 ? plain.slice(0, 159) + '…' : text;
          });
        }`,
        arguments: [{ value: colors }, ...scope.bindings.map((b) => argumentOf(b.value))],
        returnByValue: true,
      });
      const texts = (r.result.value as string[] | undefined) ?? [];
      const lines = [`Top-level variables of ${scope.file} (${scope.kind}):`];
      names.forEach((n, i) => lines.push(`  ${n}: ${texts[i] ?? '?'}`));
      for (const n of scope.dropped) lines.push(`  ${n}: <optimized away: no function of the module uses it, so V8 dropped it>`);
      if (names.length + scope.dropped.length === 0) lines.push('  (none)');
      if (names.length > 0 && spec === undefined) lines.push('Read them as scope.NAME (live objects).');
      return lines.join('\n');
    });
  } catch (err) {
    return `anode: .scope: ${unavailable(err)}`;
  }
}

/**
 * Points the console binding `scope` at a fresh object holding the entry module's variables (objects are
 * the program's own; an optimized-away name is a getter that throws saying so). Returns a note when the
 * module cannot be read.
 */
export async function refreshScope(session: EvalSession): Promise<string | undefined> {
  try {
    await withModuleScope(session, undefined, async (ch, scope) => {
      await ch.send('Runtime.callFunctionOn', {
        objectId: scope.anchor,
        functionDeclaration: `function (names, dropped, ...values) {
          const o = {};
          names.forEach((n, i) => { o[n] = values[i]; });
          for (const n of dropped) {
            Object.defineProperty(o, n, { enumerable: true, configurable: true, get() {
              throw new ReferenceError(n + ' was optimized away: no function of the module uses it, so V8 dropped it');
            } });
          }
          ${AGENT_REF}.setScope?.(o);
        }`,
        arguments: [
          { value: scope.bindings.map((b) => b.name) },
          { value: scope.dropped },
          ...scope.bindings.map((b) => argumentOf(b.value)),
        ],
      });
    });
    return undefined;
  } catch (err) {
    return `anode: scope: ${unavailable(err)}`;
  }
}

/** Reads the scope of module `spec` (default: the entry module) and hands it to `use`, then releases it. */
async function withModuleScope<T>(
  session: EvalSession,
  spec: string | undefined,
  use: (ch: Channel, scope: ModuleScope) => Promise<T>,
): Promise<T> {
  const ch = session.eventChannel;
  return session.exclusive(async () => {
    try {
      return await use(ch, await readModuleScope(ch, spec));
    } finally {
      await ch.send('Runtime.releaseObjectGroup', { objectGroup: GROUP }).catch((err: unknown) => ignored('.scope: releasing its objects', err));
    }
  });
}

async function readModuleScope(ch: Channel, spec: string | undefined): Promise<ModuleScope> {
  const resolved = await valueIn<Resolved>(ch, `(${resolveModule.toString()})(${AGENT_REF}, ${JSON.stringify(spec ?? null)})`);
  if (resolved.error || !resolved.file || !resolved.url) throw new ScopeUnavailable(resolved.error ?? 'cannot resolve the module');
  const { file, url } = resolved;
  const cjs = resolved.cjs === true;
  // The script ids of a module are remembered, so `scope` entries need no Debugger.enable each time; a
  // module compiled anew (its cache entry deleted and required again) is looked up afresh.
  let known = scriptCache.get(ch);
  if (!known) scriptCache.set(ch, (known = new Map()));
  const cached = known.get(file);
  if (cached) {
    const scope = await searchScope(ch, file, url, cjs, cached);
    if (scope.bindings.length > 0) return scope;
  }
  const scripts = await scriptsOf(ch, file, url);
  if (scripts.scriptIds.size === 0) throw new ScopeUnavailable(`${file} is not loaded by the program`);
  known.set(file, scripts);
  return searchScope(ch, file, url, cjs, scripts);
}

const scriptCache = new WeakMap<Channel, Map<string, Scripts>>();

interface Scripts {
  scriptIds: Set<string>;
  source: string;
}

/** Looks for a live function of the module and reads the module scope it sees. */
async function searchScope(ch: Channel, file: string, url: string, cjs: boolean, { scriptIds, source }: Scripts): Promise<ModuleScope> {
  const declared = topLevelNames(source, !cjs);
  const kind = cjs ? 'CommonJS' : 'ES module';

  const searches: (() => Promise<string | undefined>)[] = [
    async () => {
      const r = await ch.send('Runtime.evaluate', {
        expression: `(${moduleFunctions.toString()})(${AGENT_REF}, ${JSON.stringify(file)}, ${JSON.stringify(url)}, ${cjs}, ${MAX_CANDIDATES})`,
        awaitPromise: true,
        objectGroup: GROUP,
        timeout: 1000,
      });
      return r.result.objectId;
    },
    () => timerCallbacks(ch),
    () => heapFunctions(ch, source),
  ];
  let anchor: string | undefined;
  for (const search of searches) {
    const list = await search().catch((err: unknown) => ignored('.scope: one way of finding the module (the next is tried)', err));
    if (!list) continue;
    anchor ??= list;
    const scope = await moduleScopeAmong(ch, list, scriptIds, cjs, declared);
    if (scope) {
      const names = new Set(scope.map((b) => b.name));
      return { file, kind, bindings: scope, dropped: declared.filter((n) => !names.has(n)), anchor: list };
    }
  }
  if (!anchor) throw new ScopeUnavailable('cannot search the program for functions');
  // No live function of the module: nothing of its scope survives.
  return { file, kind, bindings: [], dropped: declared, anchor };
}

/** Script ids under which the target compiled `file` (path for CommonJS, file:// URL for ESM), and its text. */
async function scriptsOf(ch: Channel, file: string, url: string): Promise<Scripts> {
  const scriptIds = new Set<string>();
  const off = ch.on('Debugger.scriptParsed', (p) => {
    if (p.url === file || p.url === url) scriptIds.add(p.scriptId);
  });
  try {
    await ch.send('Debugger.enable');
    const first = scriptIds.values().next().value;
    const source = first === undefined ? '' : (await ch.send('Debugger.getScriptSource', { scriptId: first })).scriptSource;
    return { scriptIds, source };
  } finally {
    off();
    await ch.send('Debugger.disable').catch((err: unknown) => ignored('.scope: disabling the debugger', err));
  }
}

/** The callbacks of pending timers (setTimeout/setInterval), found by their prototype. */
async function timerCallbacks(ch: Channel): Promise<string | undefined> {
  const proto = await ch.send('Runtime.evaluate', {
    expression: '(() => { const t = setTimeout(() => {}, 1e9); clearTimeout(t); return Object.getPrototypeOf(t); })()',
    objectGroup: GROUP,
  });
  if (!proto.result.objectId) return undefined;
  const timers = await ch.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId, objectGroup: GROUP });
  const r = await ch.send('Runtime.callFunctionOn', {
    objectId: timers.objects.objectId!,
    functionDeclaration: `function (max) { return this.map((t) => t._onTimeout).filter((f) => typeof f === 'function').slice(0, max); }`,
    arguments: [{ value: MAX_CANDIDATES }],
    objectGroup: GROUP,
  });
  return r.result.objectId;
}

/** Last resort: functions of the whole heap whose source text is part of the module's (time-bounded). */
async function heapFunctions(ch: Channel, source: string): Promise<string | undefined> {
  if (source === '') return undefined;
  const proto = await ch.send('Runtime.evaluate', { expression: 'Function.prototype', objectGroup: GROUP });
  const all = await ch.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId!, objectGroup: GROUP });
  const r = await ch.send('Runtime.callFunctionOn', {
    objectId: all.objects.objectId!,
    functionDeclaration: functionsInSource.toString(),
    arguments: [{ value: source }, { value: 20 }, { value: HEAP_SEARCH_MS }],
    objectGroup: GROUP,
  });
  return r.result.objectId;
}

/** The module scope seen by the first function in array `listId` that was defined in one of `scriptIds`. */
async function moduleScopeAmong(
  ch: Channel,
  listId: string,
  scriptIds: Set<string>,
  cjs: boolean,
  declared: string[],
): Promise<{ name: string; value: RemoteObject }[] | undefined> {
  const items = await ch.send('Runtime.getProperties', { objectId: listId, ownProperties: true });
  const fns = items.result.filter((p) => /^\d+$/.test(p.name) && p.value?.objectId).map((p) => p.value!.objectId!);
  const known = new Set([...declared, ...CJS_WRAPPER_NAMES]);
  // In small batches: the first candidates (the module's exports, its listeners) usually are the module's.
  for (let i = 0; i < fns.length; i += BATCH) {
    const found = await scopeInBatch(ch, fns.slice(i, i + BATCH), scriptIds, cjs, known);
    if (found) return found;
  }
  return undefined;
}

async function scopeInBatch(
  ch: Channel,
  fns: string[],
  scriptIds: Set<string>,
  cjs: boolean,
  known: Set<string>,
): Promise<{ name: string; value: RemoteObject }[] | undefined> {
  const internals = await Promise.all(
    fns.map((objectId) => ch.send('Runtime.getProperties', { objectId, ownProperties: true }).then((r) => r.internalProperties ?? [], () => [])),
  );
  for (const props of internals) {
    const location = props.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as { scriptId?: string } | undefined;
    const scopesId = props.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (!location?.scriptId || !scriptIds.has(location.scriptId) || !scopesId) continue;
    const scopes = (await ch.send('Runtime.getProperties', { objectId: scopesId, ownProperties: true })).result
      .filter((p) => /^\d+$/.test(p.name) && p.value?.objectId)
      .map((p) => p.value!);
    const target = cjs
      ? scopes.filter((s) => s.description?.startsWith('Closure')).at(-1)
      : scopes.find((s) => s.description === 'Module');
    if (!target) return [];
    const bindings = (await ch.send('Runtime.getProperties', { objectId: target.objectId!, ownProperties: true })).result
      .filter((p) => p.value)
      .map((p) => ({ name: p.name, value: p.value! }));
    // The wrapper's scope may be absent (nothing captured): then the outermost Closure is an inner one.
    if (cjs && bindings.length > 0 && !bindings.some((b) => known.has(b.name))) return [];
    return bindings;
  }
  return undefined;
}

/** A plain expression's value in the target; an exception there means the scope cannot be read. */
async function valueIn<T>(ch: Channel, expression: string): Promise<T> {
  return evalValue<T>(ch, expression, 1000).catch((err: Error) => {
    throw new ScopeUnavailable(err.message);
  });
}
