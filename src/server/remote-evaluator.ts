// A LineEvaluator over an anode protocol connection: what lets `anode connect` run the ordinary console
// engine on the local terminal (readline, history, Tab, Ctrl-C, dot-commands) while entries run in the
// served program. It lives beside the protocol it speaks (src/server), not in src/session: it knows
// nothing of CDP, only of the messages a served console understands.
import type { ConsoleTargets, EvalOutcome, LineEvaluator } from '../console/types.js';
import { TargetClosedError } from '../errors.js';
import type { ProtocolConnection } from './protocol-client.js';
import type { ServerMessage } from './protocol.js';

type Pending =
  | { kind: 'eval'; resolve: (outcome: EvalOutcome) => void; reject: (err: Error) => void }
  | { kind: 'complete'; line: string; resolve: (r: [string[], string]) => void }
  | { kind: 'preview'; resolve: (text: string | undefined) => void }
  | { kind: 'scope'; resolve: (text: string | undefined) => void }
  | { kind: 'target'; resolve: (text: string) => void };

/** Evaluates, completes and interrupts in the served console at the other end of `connection`. */
export class RemoteLineEvaluator implements LineEvaluator {
  readonly #connection: ProtocolConnection;
  readonly #pending = new Map<number, Pending>();
  readonly #watchers = new Set<(text: string) => void>();
  #nextId = 1;
  #gone: string | undefined;
  /** Where the served console of this client is ('' = the main thread), as the server last said. */
  #where = '';
  readonly #moved = new Set<(text: string) => void>();
  /** Questions the program asks (ainput) that wait for the user; a result or the end cancels them. */
  readonly #asking = new Set<AbortController>();

  /** Reads a line from the user for the program's ainput (the terminal front end sets it: engine.ask). */
  onAsk: ((prompt: string, signal: AbortSignal) => Promise<string>) | undefined;

  constructor(connection: ProtocolConnection) {
    this.#connection = connection;
    connection.onMessage((m) => this.#onMessage(m));
    connection.onNotice((text) => this.#onNotice(text));
    void connection.closed.then((reason) => {
      this.#gone = reason;
      this.#cancelAsks();
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        if (p.kind === 'eval') p.reject(new TargetClosedError(reason));
        else if (p.kind === 'complete') p.resolve([[], p.line]);
        else if (p.kind === 'target') p.resolve(`anode: ${reason}`);
        else p.resolve(undefined);
      }
    });
  }

  /** Why the connection ended, once it has. */
  get gone(): string | undefined {
    return this.#gone;
  }

  /** Runs `code` remotely; aborting `signal` sends an interrupt for it (the result then says so). */
  evaluate(code: string, options: { signal?: AbortSignal } = {}): Promise<EvalOutcome> {
    if (this.#gone !== undefined) return Promise.reject(new TargetClosedError(this.#gone));
    const id = this.#nextId++;
    const signal = options.signal;
    const onAbort = (): void => this.#connection.send({ type: 'interrupt', id });
    return new Promise<EvalOutcome>((resolve, reject) => {
      this.#pending.set(id, { kind: 'eval', resolve, reject });
      this.#connection.send({ type: 'eval', id, code });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Tab completion from the served program. */
  complete(line: string): Promise<[string[], string]> {
    if (this.#gone !== undefined) return Promise.resolve([[], line]);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { kind: 'complete', line, resolve });
      this.#connection.send({ type: 'complete', id, line });
    });
  }

  /** The eager preview of the line being typed, computed by the served console. */
  preview(code: string, maxWidth: number): Promise<string | undefined> {
    if (this.#gone !== undefined) return Promise.resolve(undefined);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { kind: 'preview', resolve });
      this.#connection.send({ type: 'preview', id, code, width: maxWidth });
    });
  }

  /** `.scope [FILE]`, read by the served console. */
  scope(file?: string): Promise<string | undefined> {
    if (this.#gone !== undefined) return Promise.resolve(undefined);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { kind: 'scope', resolve });
      this.#connection.send(file === undefined ? { type: 'scope', id } : { type: 'scope', id, file });
    });
  }

  /** `.workers` / `.worker ID|main`, run by the served console for this client; the prompt follows it. */
  readonly targets: ConsoleTargets = {
    where: () => this.#where,
    command: (command, arg) => {
      if (this.#gone !== undefined) return Promise.resolve(`anode: ${this.#gone}`);
      const id = this.#nextId++;
      return new Promise((resolve) => {
        this.#pending.set(id, { kind: 'target', resolve });
        this.#connection.send({ type: 'target', id, command, arg });
      });
    },
    onNotice: (listener) => {
      this.#moved.add(listener);
      return () => this.#moved.delete(listener);
    },
  };

  /** The program's console output, mirrored by the server while at least one listener watches. */
  watchOutput(listener: (text: string) => void): () => void {
    this.#watchers.add(listener);
    if (this.#watchers.size === 1) this.#connection.send({ type: 'watch', on: true });
    return () => {
      if (this.#watchers.delete(listener) && this.#watchers.size === 0) this.#connection.send({ type: 'watch', on: false });
    };
  }

  #onMessage(m: ServerMessage): void {
    if (m.type === 'ask') return this.#ask(m.id, m.prompt);
    if (m.type === 'result') this.#cancelAsks();
    if (m.type === 'moved') {
      this.#where = m.where;
      for (const l of this.#moved) l(m.text);
      return;
    }
    if (m.type === 'targeted') this.#where = m.where;
    if (m.type === 'output') {
      if (m.source === 'program') for (const w of this.#watchers) w(m.text);
      else for (const l of this.noticeListeners) l(m.text);
      return;
    }
    const answers = m.type === 'result' || m.type === 'completions' || m.type === 'previewed' || m.type === 'scoped' || m.type === 'targeted';
    if (!answers && !(m.type === 'error' && m.id !== undefined)) {
      // A server that predates `target` refuses it without an id: that request gets the refusal.
      const target = m.type === 'error' && m.code === 'bad-message' ? [...this.#pending].find(([, p]) => p.kind === 'target') : undefined;
      if (target && target[1].kind === 'target') {
        this.#pending.delete(target[0]);
        return target[1].resolve('anode: the served console is an older anode: it cannot move between worker threads');
      }
      if (m.type === 'error') this.#onNotice(`anode: ${m.message}`);
      return;
    }
    const pending = this.#pending.get(m.id!);
    if (!pending) return;
    this.#pending.delete(m.id!);
    if (pending.kind === 'preview') {
      pending.resolve(m.type === 'previewed' ? m.text : undefined);
    } else if (pending.kind === 'scope') {
      pending.resolve(m.type === 'scoped' ? m.text : m.type === 'error' ? `anode: ${m.message}` : undefined);
    } else if (pending.kind === 'target') {
      pending.resolve(m.type === 'targeted' ? m.text : m.type === 'error' ? `anode: ${m.message}` : '');
    } else if (pending.kind === 'complete') {
      pending.resolve(m.type === 'completions' ? [m.candidates, m.prefix] : [[], pending.line]);
    } else if (m.type === 'result') {
      pending.resolve({ kind: m.kind, text: m.text });
    } else if (m.type === 'error') {
      pending.resolve({ kind: 'error', text: `anode: ${m.message}` });
    }
  }

  #ask(id: number, prompt: string): void {
    const controller = new AbortController();
    this.#asking.add(controller);
    const question = this.onAsk ? this.onAsk(prompt, controller.signal) : Promise.reject(new Error('no terminal'));
    void question
      .then(
        (text) => this.#connection.send({ type: 'answer', id, text }),
        () => this.#connection.send({ type: 'answer', id }),
      )
      .finally(() => this.#asking.delete(controller));
  }

  #cancelAsks(): void {
    for (const controller of this.#asking) controller.abort();
    this.#asking.clear();
  }

  /** A plain line from the server. "line too long" means the entry in flight was discarded: say so there. */
  #onNotice(text: string): void {
    const evals = [...this.#pending].filter(([, p]) => p.kind === 'eval');
    if (/line too long/.test(text) && evals.length > 0) {
      for (const [id, p] of evals) {
        this.#pending.delete(id);
        if (p.kind === 'eval') p.resolve({ kind: 'error', text });
      }
      return;
    }
    for (const w of this.noticeListeners) w(text);
  }

  /** Where text for this console outside any result goes: server notices, what code wrote to it (aprint). */
  readonly noticeListeners = new Set<(text: string) => void>();
}
