// What one console needs from a session: evaluate a line and get Node-REPL text back, interruptibly.
// Each console (the terminal, every served client, the library) has its own Evaluator: its own object
// group, colours and `_`, over the session's shared evaluation channel.
import { inspect } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import { TargetClosedError } from '../errors.js';
import { AGENT_REF } from './agent.js';
import { complete } from './completion.js';
import type { EvalSession, InterruptResult } from './session.js';
import { assignsUnderscore, mentions, prepareSource } from './source.js';

/** The printed outcome of one entry. */
export interface EvalOutcome {
  kind: 'value' | 'error' | 'interrupted';
  text: string;
}

export interface EvaluatorOptions {
  /** Colour results with ANSI escapes (a colour terminal). */
  colors?: boolean;
}

const INTERRUPT_TEXT: Record<InterruptResult, string> = {
  terminated: 'Interrupted: the evaluation was stopped; the program keeps running.',
  abandoned: 'Interrupted: stopped waiting; what the entry awaits may still complete in the program.',
  busy: "Interrupted: stopped waiting; the program's own code is busy and was left alone.",
};

let groups = 0;

export class Evaluator {
  readonly session: EvalSession;
  colors: boolean;
  readonly #group = `anode-${++groups}`;
  #pendingLast: string | undefined;
  #pendingError: string | undefined;
  #assign = { _: true, _error: true };

  constructor(session: EvalSession, options: EvaluatorOptions = {}) {
    this.session = session;
    this.colors = options.colors ?? false;
  }

  /** Evaluates one (complete) entry. An abort interrupts it and resolves as 'interrupted'. */
  async evaluate(code: string, options: { signal?: AbortSignal } = {}): Promise<EvalOutcome> {
    const notes = this.#trackAssignments(code);
    await this.#syncBindings(code);
    const name = this.session.nextScriptName();
    const run = this.session.evalChannel.send('Runtime.evaluate', {
      expression: prepareSource(code, name),
      replMode: true,
      awaitPromise: true,
      objectGroup: this.#group,
    });
    const outcome = await this.#race(run, name, options.signal);
    if (notes) outcome.text = `${notes}\n${outcome.text}`;
    return outcome;
  }

  /** Mirrors the program's console.* calls, marked as the program's. */
  watchOutput(listener: (text: string) => void): () => void {
    return this.session.programOutput.subscribe(
      (m) => listener(m.text.replace(/^/gm, m.type === 'error' || m.type === 'warning' ? '[program!] ' : '[program] ')),
      { colors: this.colors },
    );
  }

  /** Tab completion in the target, without side effects. */
  complete(line: string): Promise<[string[], string]> {
    return complete(this.session, line);
  }

  async #race(
    run: Promise<Protocol.Runtime.EvaluateResponse>,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<EvalOutcome> {
    let onAbort = (): void => {};
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      onAbort = () => resolve('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const ended = this.session.ended.then((reason) => ({ ended: reason }));
    try {
      const first = await Promise.race([run.then((r) => ({ r })), aborted, ended]);
      if (first === 'aborted') {
        run.catch(() => undefined);
        const how = await this.session.interrupt(name).catch(() => 'abandoned' as const);
        return { kind: 'interrupted', text: INTERRUPT_TEXT[how] };
      }
      if ('ended' in first) throw new TargetClosedError(first.ended);
      return await this.#present(first.r);
    } catch (err) {
      if (/Execution context was destroyed/.test((err as Error).message)) {
        throw new TargetClosedError('the program exited', err);
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #present(r: Protocol.Runtime.EvaluateResponse): Promise<EvalOutcome> {
    try {
      if (r.exceptionDetails) {
        const thrown = r.exceptionDetails.exception;
        if (thrown?.objectId) return { kind: 'error', text: await this.#remoteFormat(thrown.objectId, 'formatError', this.#assign._error) };
        const value = thrown ? primitiveOf(thrown) : r.exceptionDetails.text;
        this.#pendingError = thrown ? callArgumentOf(thrown) : undefined;
        return { kind: 'error', text: `Uncaught ${this.#inspect(value)}` };
      }
      if (r.result.objectId) {
        this.#pendingLast = undefined;
        return { kind: 'value', text: await this.#remoteFormat(r.result.objectId, 'format', this.#assign._) };
      }
      this.#pendingLast = callArgumentOf(r.result);
      return { kind: 'value', text: this.#inspect(primitiveOf(r.result)) };
    } finally {
      if (r.result.objectId || r.exceptionDetails?.exception?.objectId) {
        await this.session.evalChannel.send('Runtime.releaseObjectGroup', { objectGroup: this.#group });
      }
    }
  }

  async #remoteFormat(objectId: string, fn: 'format' | 'formatError', assign: boolean): Promise<string> {
    const r = await this.session.evalChannel.send('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function (o, a) { return ${AGENT_REF}.${fn}.call(this, o, a); }`,
      arguments: [{ value: { colors: this.colors } }, { value: assign }],
      returnByValue: true,
    });
    if (r.exceptionDetails) return `[anode: cannot format the value: ${r.exceptionDetails.text}]`;
    return String(r.result.value);
  }

  #inspect(value: unknown): string {
    return inspect(value, { colors: this.colors, showProxy: true });
  }

  /** Node's rule: once the user assigns `_` (or `_error`) it stops following results. */
  #trackAssignments(code: string): string {
    const notes: string[] = [];
    for (const name of ['_', '_error'] as const) {
      if (this.#assign[name] && assignsUnderscore(code, name) && this.session.hasBinding(name)) {
        this.#assign[name] = false;
        notes.push(`Expression assignment to ${name} now disabled.`);
      }
    }
    return notes.join('\n');
  }

  /** Brings `_`, `_error` and `main` up to date, only when the entry uses them. */
  async #syncBindings(code: string): Promise<void> {
    const set = async (setter: string, literal: string): Promise<void> => {
      await this.session.evalChannel
        .send('Runtime.evaluate', { expression: `${AGENT_REF}.${setter}?.(${literal})` })
        .catch(() => undefined);
    };
    if (this.#pendingLast && this.#assign._ && mentions(code, '_')) {
      await set('setLast', this.#pendingLast);
      this.#pendingLast = undefined;
    }
    if (this.#pendingError && this.#assign._error && mentions(code, '_error')) {
      await set('setLastError', this.#pendingError);
      this.#pendingError = undefined;
    }
    if (mentions(code, 'main')) await this.session.refreshMain();
  }
}

/** The JavaScript value of a primitive RemoteObject (everything without an objectId). */
export function primitiveOf(o: Protocol.Runtime.RemoteObject): unknown {
  if (o.type === 'undefined') return undefined;
  if (o.unserializableValue !== undefined) {
    const u = o.unserializableValue;
    return u.endsWith('n') ? BigInt(u.slice(0, -1)) : Number(u);
  }
  return o.value;
}

/** A primitive RemoteObject as JavaScript source (to hand it back to the target). */
function callArgumentOf(o: Protocol.Runtime.RemoteObject): string {
  if (o.type === 'undefined') return 'undefined';
  if (o.unserializableValue !== undefined) return o.unserializableValue;
  return JSON.stringify(o.value);
}
