// What one console needs from a session: evaluate a line and get Node-REPL text back, interruptibly.
// Each console (the terminal, every served client, the library) has its own Evaluator: its own object
// group, colours and `_`, over the session's shared evaluation channel.
import { inspect } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import { isPromiseCollected, isTargetClosed, TargetClosedError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { AGENT_REF } from './agent.js';
import { builtinNames } from './builtin-names.js';
import { complete } from './completion.js';
import { previewOf } from './preview.js';
import { entrySyntax, isObjectLiteral } from '../syntax/entry.js';
import { asDynamicImports } from '../syntax/static-import.js';
import { freeReferences } from '../syntax/free-references.js';
import { evalValue, primitiveOf, sourceOf } from './remote-object.js';
import { describeScope, refreshScope } from './scope.js';
import { streamOf } from './program-output.js';
import { CONSOLE_IO_NAMES, ConsoleIoLink, type ConsoleIo, type ConsoleIoName } from './console-io.js';
import type { EvalSession, InterruptResult } from './session.js';
import type { Position } from './insertions.js';
import { assignsName, builtinWords, declaresName, mentions, prepareSource, type PreparedSource, type Presenter, type RoutedNames } from './source.js';

/** The printed outcome of one entry. */
/** How one entry is evaluated. */
export interface EvaluateOptions {
  /** Aborting interrupts the entry. */
  signal?: AbortSignal;
  /** Notes about a slow entry meanwhile (the program paused in another debugger). */
  notify?: (text: string) => void;
  /** An expression the target runs before the entry (see SourceOptions.before): in-process consoles only. */
  before?: string;
}

export interface EvalOutcome {
  kind: 'value' | 'error' | 'interrupted';
  text: string;
}

export interface EvaluatorOptions {
  /** Colour results with ANSI escapes (a colour terminal). */
  colors?: boolean;
  /** Whether the program's output to that stream reaches the user already (its terminal): not mirrored then. */
  shownElsewhere?: (stream: 'stdout' | 'stderr') => boolean;
  /** This console's user, for the `ainput` / `aprint` bindings (none: the names are not routed). */
  io?: () => ConsoleIo | undefined;
}

const INTERRUPT_TEXT: Record<InterruptResult, string> = {
  terminated: 'Interrupted: the evaluation was stopped; the program keeps running.',
  abandoned: 'Interrupted: stopped waiting; what the entry awaits may still complete in the program.',
  busy: "Interrupted: stopped waiting; the program's own code is busy and was left alone.",
  'in-timer':
    "Interrupted: stopped waiting; the entry's code is running as a timer callback, and stopping a timer callback would crash Node, so it was left running.",
  unresponsive:
    'Interrupted: stopped waiting; the program does not answer (stopped, or blocked outside JavaScript), so the entry may still complete when it resumes.',
  paused: 'Interrupted: stopped waiting; the program is paused in another debugger, which was left alone: the entry still runs when it resumes.',
};

/** An entry whose reply the inspector lost, and whose result could not be read back either. */
const COLLECTED_TEXT =
  'anode: no reply: the promise this entry waited on was garbage-collected in the program (nothing could settle it any more, or the inspector lost it); the console goes on';

/** Said once when an entry has waited this long and the program turns out paused in another debugger. */
const PAUSED_CHECK_MS = 500;
const PAUSED_NOTE = 'anode: the program is paused in another debugger; the entry runs when it resumes (Ctrl-C stops waiting)';

/** The bindings that follow anode until the user assigns them, and what the console says then. */
const TAKEN = {
  _: 'Expression assignment to _ now disabled.',
  _error: 'Expression assignment to _error now disabled.',
  scope: '`scope` is now yours: it no longer follows the module (.scope still lists it).',
} as const;
type Following = keyof typeof TAKEN;

/** An entry as typed, and the script name it runs under. */
interface TypedEntry {
  code: string;
  name: string;
  /** Where a position in the evaluated source is in the entry as typed. */
  original(position: Position): Position;
}

const NPM_HINT = 'npm should be run outside of the Node.js REPL, in your normal shell.\n(Press Ctrl+D to exit.)';

let groups = 0;
/** How many of its entries a console can map stack positions back for. */
const RECENT_ENTRIES = 100;

export class Evaluator {
  readonly session: EvalSession;
  colors: boolean;
  readonly #group = `anode-${++groups}`;
  /** Source of this console's own `_` / `_error` (a literal, or where the agent keeps the object). */
  #pendingLast: string | undefined;
  #pendingError: string | undefined;
  #follows: Record<Following, boolean> = { _: true, _error: true, scope: true };
  /** The first read of `scope` (by an entry, a preview or Tab): later previews wait for it. */
  #scopeSeen: Promise<unknown> | undefined;
  /** This console's recent entries by script name, to print stack positions as typed. */
  readonly #typed = new Map<string, PreparedSource>();
  /** `ainput` / `aprint` of this console in this target: made when an entry first names them. */
  #io: ConsoleIoLink | undefined;
  readonly #ioUser: (() => ConsoleIo | undefined) | undefined;
  /** Until the user declares or assigns one of them (then it is theirs, as `_` is). */
  readonly #ioFollows = new Set<ConsoleIoName>(CONSOLE_IO_NAMES);

  constructor(session: EvalSession, options: EvaluatorOptions = {}) {
    this.session = session;
    this.colors = options.colors ?? false;
    this.#shownElsewhere = options.shownElsewhere ?? (() => false);
    this.#ioUser = options.io;
  }

  readonly #shownElsewhere: (stream: 'stdout' | 'stderr') => boolean;

  /** Resolves once what the program logged so far has reached the console's output listeners. */
  settleOutput(options: { leaving?: boolean } = {}): Promise<void> {
    return this.session.programOutput.flush({ untilQuiet: options.leaving === true });
  }

  /**
   * Evaluates one (complete) entry. An abort interrupts it and resolves as 'interrupted'. `notify` gets
   * notes about a slow entry meanwhile (the program paused in another debugger).
   */
  async evaluate(code: string, options: EvaluateOptions = {}): Promise<EvalOutcome> {
    code = await this.#withoutTypes(asDynamicImports(code) ?? code);
    let notes = this.#trackAssignments(code);
    let prelude = await this.#syncBindings(code);
    const routed = this.#consoleIo(code);
    if (routed) prelude += this.#io!.prelude();
    // `scope` (the entry module's variables) is re-read only for entries that mention it.
    if (this.#follows.scope && mentions(code, 'scope') && this.session.hasBinding('scope')) {
      const reading = refreshScope(this.session);
      this.#scopeSeen ??= reading;
      const note = await reading;
      if (note) notes = notes ? `${notes}\n${note}` : note;
    }
    const name = this.session.nextScriptName();
    const prepared = prepareSource(code, name, {
      prelude,
      present: this.#presenter(name),
      builtins: await this.#builtinsUsed(code),
      ...(options.before ? { before: options.before } : {}),
      ...(routed ? { routed } : {}),
    });
    this.#remember(name, prepared);
    const run = this.session.evalChannel.send('Runtime.evaluate', {
      expression: prepared.source,
      replMode: true,
      awaitPromise: true,
      objectGroup: this.#group,
    });
    if (routed) this.#io!.start();
    let interrupted = false;
    let outcome: EvalOutcome;
    try {
      outcome = await this.#race(run, { code, name, original: prepared.original }, options.signal, prepared.presented, options.notify);
      interrupted = outcome.kind === 'interrupted';
    } finally {
      this.#io?.entryEnded(interrupted);
    }
    outcome.text = this.#asTyped(outcome.text);
    // Node's hint for a shell command typed at the console.
    if (outcome.kind === 'error' && code.trim().startsWith('npm ')) outcome.text = NPM_HINT;
    if (notes) outcome.text = `${notes}\n${outcome.text}`;
    return outcome;
  }

  /**
   * The console's `ainput` / `aprint` the entry names (cheap scan; parsed only then), routed to this
   * console's own: undefined when it names neither, or this console has no user to reach.
   */
  #consoleIo(code: string): RoutedNames | undefined {
    if (!this.#ioUser) return undefined;
    const names = new Set<string>();
    for (const n of CONSOLE_IO_NAMES) {
      if (!this.#ioFollows.has(n) || !mentions(code, n) || !this.session.hasBinding(n)) continue;
      if (assignsName(code, n)) this.#ioFollows.delete(n);
      else names.add(n);
    }
    if (names.size === 0) return undefined;
    // Named as code, not only in a string or a comment (the scan above may over-report).
    const used = freeReferences(isObjectLiteral(code) ? `(${code})` : code, names);
    for (const n of names) if (!used.has(n)) names.delete(n);
    if (names.size === 0) return undefined;
    this.#io ??= new ConsoleIoLink(this.session, this.#ioUser, () => this.colors);
    return { names, via: this.#io.via };
  }

  /** Ends this console's `ainput` / `aprint` in the target: questions waiting there end (end of input). */
  closeIo(): Promise<void> {
    return this.#io?.close() ?? Promise.resolve();
  }

  /**
   * The built-in module names the entry uses that are not global lexical bindings (a `const os = 5` of the
   * console's, or the program's own): those the agent supplies. One more round trip, only for such entries.
   */
  async #builtinsUsed(code: string): Promise<Set<string>> {
    // Entries without a lowercase word (`1 + 1`) cannot name one: no need to know the names.
    if (!/[a-z]/.test(code)) return new Set();
    const used = builtinWords(code, await builtinNames(this.session));
    if (used.size === 0) return used;
    const { names } = await this.session.evalChannel.send('Runtime.globalLexicalScopeNames');
    for (const n of names) used.delete(n);
    return used;
  }

  /** A TypeScript program's entry that is not JavaScript, with its types stripped in the target (one round trip). */
  async #withoutTypes(code: string): Promise<string> {
    if (this.session.info.typescript !== 'strip' || !entrySyntax(code).error || isObjectLiteral(code)) return code;
    const stripped = await evalValue<string | undefined>(this.session.evalChannel, `${AGENT_REF}.stripTypes(${JSON.stringify(code)})`).catch(
      (err: unknown) => ignored('stripping the types of an entry', err),
    );
    const js = typeof stripped === 'string' ? (asDynamicImports(stripped) ?? stripped).replace(/\n$/, '') : undefined;
    return js !== undefined && entrySyntax(js).error === undefined ? js : code;
  }

  /** Mirrors the program's console.* calls, marked as the program's. */
  watchOutput(listener: (text: string) => void): () => void {
    return this.session.programOutput.subscribe(
      (m) =>
        this.#shownElsewhere(streamOf(m.type)) ||
        listener(m.type === 'skipped' ? m.text : m.text.replace(/^/gm, m.type === 'error' || m.type === 'warning' ? '[program!] ' : '[program] ')),
      { colors: this.colors },
    );
  }

  /** `.scope [FILE]`: the top-level variables of the entry module (or of FILE), read live. */
  scope(file?: string): Promise<string> {
    return describeScope(this.session, file, this.colors);
  }

  /** What `.loop`/`.profile`/`.heap` inspect: this session, in this console's colours. */
  inspection(): { session: EvalSession; colors: boolean } {
    return { session: this.session, colors: this.colors };
  }

  /** The eager preview of `code` (Node's REPL preview): computed without side effects, styled. */
  async preview(code: string, maxWidth: number): Promise<string | undefined> {
    await this.#bindingsSeenBy(code);
    return previewOf(this.session, code, { colors: this.colors, maxWidth });
  }

  /** Tab completion in the target, without side effects. */
  async complete(line: string): Promise<[string[], string]> {
    await this.#bindingsSeenBy(line);
    return complete(this.session, line);
  }

  /**
   * `main` and `scope` are filled in when an entry mentions them; the preview and Tab see them from the
   * first key too: `main` is loaded as for an entry, `scope` read once (entries re-read it).
   */
  async #bindingsSeenBy(code: string): Promise<void> {
    if (mentions(code, 'main')) await this.session.refreshMain().catch((err: unknown) => ignored('loading main for the preview', err));
    if (this.#follows.scope && mentions(code, 'scope') && this.session.hasBinding('scope')) {
      await (this.#scopeSeen ??= refreshScope(this.session));
    }
  }

  async #race(
    run: Promise<Protocol.Runtime.EvaluateResponse>,
    entry: TypedEntry,
    signal: AbortSignal | undefined,
    presented: boolean,
    notify: ((text: string) => void) | undefined,
  ): Promise<EvalOutcome> {
    // An entry that cannot complete because another debugger holds the program paused: say so once.
    let settled = false;
    const check = notify
      ? setTimeout(() => {
          void this.session.pausedElsewhere().then((paused) => {
            if (paused && !settled) notify(PAUSED_NOTE);
          });
        }, PAUSED_CHECK_MS)
      : undefined;
    // Listeners that are removed after each entry: nothing accumulates on long-lived promises.
    let onAbort = (): void => {};
    let onEnd = (): void => {};
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      onAbort = () => resolve('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const endedSignal = this.session.endedSignal;
    const ended = new Promise<{ ended: string }>((resolve) => {
      onEnd = () => resolve({ ended: String(endedSignal.reason) });
      if (endedSignal.aborted) onEnd();
      endedSignal.addEventListener('abort', onEnd, { once: true });
    });
    try {
      const first = await Promise.race([run.then((r) => ({ r })), aborted, ended]);
      if (first === 'aborted') {
        run.catch((err: unknown) => ignored('an interrupted entry\'s own reply', err));
        const how = await this.session.interrupt(entry.name).catch(() => 'abandoned' as const);
        if (how === 'abandoned') this.session.evalChannel.abandon?.(run);
        return { kind: 'interrupted', text: INTERRUPT_TEXT[how] };
      }
      if ('ended' in first) throw new TargetClosedError(first.ended);
      return await this.#present(first.r, presented, entry);
    } catch (err) {
      if (isPromiseCollected(err)) return await this.#recoverCollected(entry.name);
      if (/Execution context was destroyed/.test((err as Error).message)) {
        throw new TargetClosedError('the program exited', err);
      }
      // Any other protocol failure from a program that is going away (an object of its last moments
      // that can no longer be read) is its exit, not an error of the entry.
      if (!isTargetClosed(err) && (await endsSoon(this.session))) throw new TargetClosedError('the program exited', err);
      throw err;
    } finally {
      settled = true;
      clearTimeout(check);
      signal?.removeEventListener('abort', onAbort);
      endedSignal.removeEventListener('abort', onEnd);
    }
  }

  /** The call that formats an entry's expression in the target, as the entry's own value. */
  #presenter(name: string): Presenter {
    const options = JSON.stringify({ colors: this.colors });
    return {
      open: `${AGENT_REF}.present((`,
      close: `), ${options}, ${this.#follows._}, ${JSON.stringify(this.#group)}, ${JSON.stringify(name)})`,
    };
  }

  /**
   * The inspector lost the entry's promise ("Promise was collected"). If the entry got as far as printing
   * its result, the agent kept that text: it is the reply. Otherwise the entry says so in one line.
   */
  async #recoverCollected(name: string): Promise<EvalOutcome> {
    const slot = `${AGENT_REF}.replies.get(${JSON.stringify(this.#group)})`;
    try {
      const r = await this.session.evalChannel.send('Runtime.evaluate', {
        expression: `${slot}?.entry === ${JSON.stringify(name)} ? ${slot}.text : undefined`,
        returnByValue: true,
        timeout: 1000,
      });
      if (!r.exceptionDetails && typeof r.result.value === 'string') {
        this.#pendingLast = this.#kept('_');
        return { kind: 'value', text: r.result.value };
      }
    } catch (err) {
      if (this.session.endedSignal.aborted) throw new TargetClosedError(String(this.session.endedSignal.reason), err);
      ignored('reading back the reply of an entry whose promise was collected', err);
    }
    return { kind: 'error', text: COLLECTED_TEXT };
  }

  /** Keeps the way back to what was typed for this console's recent entries (their functions may throw later). */
  #remember(name: string, prepared: PreparedSource): void {
    this.#typed.set(name, prepared);
    if (this.#typed.size > RECENT_ENTRIES) this.#typed.delete(this.#typed.keys().next().value!);
  }

  /** Stack positions in the console's own entries as typed (`at REPL3:1:6`, as in Node's REPL). */
  #asTyped(text: string): string {
    if (!text.includes('REPL')) return text;
    return text.replace(/\b(REPL\d+):(\d+):(\d+)\b/g, (frame, name: string, line: string, column: string) => {
      const typed = this.#typed.get(name)?.original({ line: Number(line), column: Number(column) });
      return typed ? `${name}:${typed.line}:${typed.column}` : frame;
    });
  }

  async #present(r: Protocol.Runtime.EvaluateResponse, presented: boolean, entry: TypedEntry): Promise<EvalOutcome> {
    try {
      if (r.exceptionDetails) {
        const thrown = r.exceptionDetails.exception;
        if (thrown?.objectId) {
          this.#pendingError = this.#kept('_error');
          // A SyntaxError may be the entry's own compilation failing: the agent then shows the line and caret.
          const details = r.exceptionDetails;
          const compile = thrown.className === 'SyntaxError';
          const at = entry.original({ line: details.lineNumber + 1, column: details.columnNumber + 1 });
          const typed = compile ? { code: entry.code, name: entry.name, ...at } : { name: entry.name };
          return { kind: 'error', text: await this.#remoteFormat(thrown.objectId, 'formatError', this.#follows._error, typed) };
        }
        const value = thrown ? primitiveOf(thrown) : r.exceptionDetails.text;
        this.#pendingError = thrown ? sourceOf(thrown) : undefined;
        return { kind: 'error', text: `Uncaught ${this.#inspect(value)}` };
      }
      if (presented && r.result.type === 'string') {
        // Formatted by the entry itself (see prepareSource); the value is kept where `_` looks for it.
        this.#pendingLast = this.#kept('_');
        return { kind: 'value', text: String(r.result.value) };
      }
      if (r.result.objectId) {
        this.#pendingLast = this.#kept('_');
        return { kind: 'value', text: await this.#remoteFormat(r.result.objectId, 'format', this.#follows._) };
      }
      this.#pendingLast = sourceOf(r.result);
      return { kind: 'value', text: this.#inspect(primitiveOf(r.result)) };
    } finally {
      if (r.result.objectId || r.exceptionDetails?.exception?.objectId) {
        // Not awaited: the connection keeps order, so the release is done before this console's next
        // request, and the result is printed one round trip sooner. A closed connection released it anyway.
        this.session.evalChannel.send('Runtime.releaseObjectGroup', { objectGroup: this.#group }).catch((err: unknown) => ignored('releasing an entry\'s objects', err));
      }
    }
  }

  async #remoteFormat(
    objectId: string,
    fn: 'format' | 'formatError',
    assign: boolean,
    entry?: { name: string; code?: string; line?: number; column?: number },
  ): Promise<string> {
    const r = await this.session.evalChannel.send('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function (o, a, k, e) { return ${AGENT_REF}.${fn}.call(this, o, a, k, e); }`,
      arguments: [{ value: { colors: this.colors } }, { value: assign }, { value: this.#group }, entry ? { value: entry } : {}],
      returnByValue: true,
    });
    if (r.exceptionDetails) return `[anode: cannot format the value: ${r.exceptionDetails.text}]`;
    return String(r.result.value);
  }

  /** Where the agent keeps this console's object `_` / `_error`. */
  #kept(name: '_' | '_error'): string {
    return `${AGENT_REF}.kept.get(${JSON.stringify(`${this.#group}:${name}`)})`;
  }

  /** Forgets this console's `_` / `_error` in the target (a served client left). */
  async dispose(): Promise<void> {
    await this.closeIo();
    const keys = JSON.stringify([`${this.#group}:_`, `${this.#group}:_error`]);
    const forget = `${keys}.forEach((k) => ${AGENT_REF}.kept.delete(k)); ${AGENT_REF}.replies.delete(${JSON.stringify(this.#group)})`;
    await this.session.evalChannel.send('Runtime.evaluate', { expression: forget }).catch((err: unknown) => ignored('forgetting a console in the target', err));
  }

  #inspect(value: unknown): string {
    return inspect(value, { colors: this.colors, showProxy: true });
  }

  /** Node's rule, for `_`, `_error` and `scope`: once the user assigns one, it stops following anode. */
  #trackAssignments(code: string): string {
    const notes: string[] = [];
    for (const name of Object.keys(TAKEN) as Following[]) {
      if (this.#follows[name] && assignsName(code, name) && this.session.hasBinding(name)) {
        this.#follows[name] = false;
        // Node says nothing when `_` is declared (`let _ = 20`), only when it is assigned.
        if (name === 'scope' || !declaresName(code, name)) notes.push(TAKEN[name]);
      }
    }
    return notes.join('\n');
  }

  /**
   * Brings `main` up to date and returns the statements that set this console's own `_` / `_error`,
   * only when the entry uses them. They run in the same microtask as the entry (see prepareSource), so
   * another console's result cannot slip in between.
   */
  async #syncBindings(code: string): Promise<string> {
    const statements: string[] = [];
    if (this.#pendingLast && this.#follows._ && mentions(code, '_')) {
      statements.push(`${AGENT_REF}.setLast?.(${this.#pendingLast});`);
    }
    if (this.#pendingError && this.#follows._error && mentions(code, '_error')) {
      statements.push(`${AGENT_REF}.setLastError?.(${this.#pendingError});`);
    }
    if (mentions(code, 'main')) await this.session.refreshMain();
    if (code.includes('replDefaults')) statements.push(`${AGENT_REF}.exposeReplDefaults?.();`);
    return statements.join('');
  }
}

/** How long a failed call waits to learn whether the program is exiting. */
const EXIT_NOTICE_MS = 300;

/** True if the session ends within a moment (the program is exiting). */
async function endsSoon(session: EvalSession): Promise<boolean> {
  if (session.endedSignal.aborted) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, EXIT_NOTICE_MS, false)));
  try {
    return await Promise.race([session.ended.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
