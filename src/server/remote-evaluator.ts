// A LineEvaluator over an anode protocol connection: what lets `anode connect` run the ordinary console
// engine on the local terminal (readline, history, Tab, Ctrl-C, dot-commands) while entries run in the
// served program. It lives beside the protocol it speaks (src/server), not in src/session: it knows
// nothing of CDP, only of the messages a served console understands.
import type { ConsoleTargets, EvalOutcome, InspectEvents, LineEvaluator, RemoteInspection } from '../console/types.js';
import { RemoteInspectError, TargetClosedError } from '../errors.js';
import { PendingCalls } from '../io/pending-calls.js';
import type { ProtocolConnection } from './protocol-client.js';
import { ERROR_CODES, type ServerMessage } from './protocol.js';
import { ignored } from '../log/debug.js';

/** A request's label: which message answers it (an `error` with its id may answer any of them). */
type Label = 'eval' | 'complete' | 'preview' | 'scope' | 'target' | 'inspect';

/** Evaluates, completes and interrupts in the served console at the other end of `connection`. */
export class RemoteLineEvaluator implements LineEvaluator {
  readonly #connection: ProtocolConnection;
  /** Requests waiting for their answer, resolved with the server's message that carries their id. */
  readonly #pending = new PendingCalls<ServerMessage>();
  readonly #watchers = new Set<(text: string) => void>();
  #gone: string | undefined;
  /** Where the served console of this client is ('' = the main thread), as the server last said. */
  #where = '';
  readonly #moved = new Set<(text: string) => void>();
  /** Questions the program asks (ainput) that wait for the user; a result or the end cancels them. */
  readonly #asking = new Set<AbortController>();
  /** The loop commands running remotely, by request id: where their progress and chunks go. */
  readonly #inspecting = new Map<number, InspectEvents>();

  /** Reads a line from the user for the program's ainput (the terminal front end sets it: engine.ask). */
  onAsk: ((prompt: string, signal: AbortSignal) => Promise<string>) | undefined;

  constructor(connection: ProtocolConnection) {
    this.#connection = connection;
    connection.onMessage((m) => this.#onMessage(m));
    connection.onNotice((text) => this.#onNotice(text));
    void connection.closed.then((reason) => {
      this.#gone = reason;
      this.#cancelAsks();
      this.#pending.close(() => new TargetClosedError(reason));
    });
  }

  /** Why the connection ended, once it has. */
  get gone(): string | undefined {
    return this.#gone;
  }

  /** Runs `code` remotely; aborting `signal` sends an interrupt for it (the result then says so). */
  async evaluate(code: string, options: { signal?: AbortSignal } = {}): Promise<EvalOutcome> {
    const id = this.#pending.nextId();
    const signal = options.signal;
    const onAbort = (): void => this.#connection.send({ type: 'interrupt', id });
    const reply = this.#request('eval', id, { type: 'eval', id, code });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const m = await reply;
      if (m.type === 'result') return { kind: m.kind, text: m.text };
      return { kind: 'error', text: `anode: ${m.type === 'error' ? m.message : `unexpected '${m.type}'`}` };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Tab completion from the served program. */
  async complete(line: string): Promise<[string[], string]> {
    const id = this.#pending.nextId();
    const m = await this.#request('complete', id, { type: 'complete', id, line }).catch((err: unknown) => ignored('completion over the protocol (no candidates)', err));
    return m?.type === 'completions' ? [m.candidates, m.prefix] : [[], line];
  }

  /** The eager preview of the line being typed, computed by the served console. */
  async preview(code: string, maxWidth: number): Promise<string | undefined> {
    if (!this.#connection.capabilities.has('preview')) return undefined;
    const id = this.#pending.nextId();
    const m = await this.#request('preview', id, { type: 'preview', id, code, width: maxWidth }).catch((err: unknown) => ignored('preview over the protocol (none shown)', err));
    return m?.type === 'previewed' ? m.text : undefined;
  }

  /** `.scope [FILE]`, read by the served console. */
  async scope(file?: string): Promise<string | undefined> {
    if (!this.#connection.capabilities.has('scope')) return undefined;
    const id = this.#pending.nextId();
    const m = await this.#request('scope', id, file === undefined ? { type: 'scope', id } : { type: 'scope', id, file }).catch((err: unknown) => ignored('.scope over the protocol', err));
    return m?.type === 'scoped' ? m.text : m?.type === 'error' ? `anode: ${m.message}` : undefined;
  }

  /** `.workers` / `.worker ID|main` (and `.children`, `.attach`), run by the served console for this client; the prompt follows it. */
  readonly targets: ConsoleTargets = {
    where: () => this.#where,
    command: async (command, arg) => {
      if (!this.#connection.capabilities.has('targets')) return 'anode: the served console cannot move between worker threads (an older anode, or a console with no program)';
      const id = this.#pending.nextId();
      const m = await this.#request('target', id, { type: 'target', id, command, arg }).catch((err: unknown) => err as Error);
      if (m instanceof Error) return `anode: ${m.message}`;
      return m.type === 'targeted' ? m.text : m.type === 'error' ? `anode: ${m.message}` : '';
    },
    onNotice: (listener) => {
      this.#moved.add(listener);
      return () => this.#moved.delete(listener);
    },
  };

  /** `.loop`, `.profile`, `.heap`, `.heapsnapshot`, run by the served console (undefined: an older one that cannot). */
  remoteInspection(): RemoteInspection | undefined {
    return this.#connection.capabilities.has('inspect') ? this.#inspection : undefined;
  }

  readonly #inspection: RemoteInspection = {
    run: async (command, arg, events) => {
      const id = this.#pending.nextId();
      const { signal } = events;
      const onAbort = (): void => this.#connection.send({ type: 'interrupt', id });
      this.#inspecting.set(id, events);
      const reply = this.#request('inspect', id, { type: 'inspect', id, command, arg });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const m = await reply;
        if (m.type === 'inspected') return { text: m.text, ms: m.ms };
        throw new RemoteInspectError(m.type === 'error' ? m.message : `the served console answered with '${m.type}'`);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.#inspecting.delete(id);
      }
    },
  };

  /** Sends a request and waits for the message that answers it (rejects with TargetClosedError once gone). */
  #request(label: Label, id: number, message: Parameters<ProtocolConnection['send']>[0]): Promise<ServerMessage> {
    const { reply } = this.#pending.add(label, { id });
    if (this.#pending.has(id)) this.#connection.send(message);
    return reply;
  }

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
    if (m.type === 'inspecting' || m.type === 'progress' || m.type === 'chunk') {
      const events = this.#inspecting.get(m.id);
      if (m.type === 'inspecting') events?.started?.(m.pid);
      else if (m.type === 'progress') events?.progress?.(m.text);
      else events?.chunk?.(m.chunk);
      return;
    }
    if (m.type === 'output') {
      if (m.source === 'program') for (const w of this.#watchers) w(m.text);
      else for (const l of this.noticeListeners) l(m.text);
      return;
    }
    if (m.type === 'error' && m.id === undefined) {
      // An over-long line whose id the server could not read: it can only be the entry in flight.
      if (m.code === ERROR_CODES.lineTooLong) return this.#discardEntries(`anode: ${m.message}`);
      return this.#onNotice(`anode: ${m.message}`);
    }
    if ('id' in m && m.id !== undefined) this.#pending.resolve(m.id, m);
  }

  /** Answers every entry in flight with `text` as its error (the server discarded it). */
  #discardEntries(text: string): void {
    const entries = this.#pending.ids((label) => label === 'eval');
    if (entries.length === 0) {
      for (const w of this.noticeListeners) w(text);
      return;
    }
    for (const id of entries) this.#pending.resolve(id, { type: 'error', code: ERROR_CODES.lineTooLong, message: text.replace(/^anode: /, ''), id });
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

  /**
   * A plain line from the server. A server without structured errors (protocol 1.0) says "line too long"
   * in text: then the entry in flight was discarded; say so there.
   */
  #onNotice(text: string): void {
    if (!this.#connection.capabilities.has('structured-errors') && text.includes('line too long')) return this.#discardEntries(text);
    for (const w of this.noticeListeners) w(text);
  }

  /** Where text for this console outside any result goes: server notices, what code wrote to it (aprint). */
  readonly noticeListeners = new Set<(text: string) => void>();
}
