// The server half of the anode protocol: one structured client driven over the SAME per-client Evaluator a
// plain client gets (its own `_`, its own interrupt). The client runs the console engine (multi-line input,
// dot-commands, history) on its own terminal; this side only evaluates, completes, interrupts and mirrors.
// The listener's limits still hold: lines are cut by LineLimiter (an over-long line is answered with a
// `line-too-long` error carrying its request id), output goes through BoundedOutput, and a client has at
// most one entry and one completion in flight; replies wait for the client to read them. Every request
// the server cannot serve is answered by an `error` message with the request's id, never by free text.
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { whenDrained } from '../io/drain.js';
import { PendingCalls } from '../io/pending-calls.js';
import type { LineEvaluator } from '../console/types.js';
import { AbortedError, EndOfInputError, isTargetClosed } from '../errors.js';
import { debug, ignored } from '../log/debug.js';
import { LineLimiter } from './line-limit.js';
import { PacedOutput } from './paced-output.js';
import { runInspect } from './protocol-inspect.js';
import { bytes } from '../loop/table.js';
import {
  CAPABILITIES,
  ERROR_CODES,
  PROTOCOL_MAGIC,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
  announced,
  decodeClientMessage,
  encode,
  requestIdOf,
  type Capability,
  type ClientMessage,
  type ClientMessageOf,
  type Hello,
  type InspectRequest,
  type ServerMessage,
} from './protocol.js';

/**
 * The most bytes of a recording (a heap snapshot's chunks) that may wait for a client that reads more slowly
 * than V8 writes: past it the recording is dropped for this client, with an error, not anode's memory grown.
 */
export const MAX_QUEUED_RECORDING = 256 * 1024 * 1024;

export interface ProtocolClientOptions {
  /** The client's first line (its hello, magic included). */
  hello: string;
  input: Readable;
  output: Writable;
  evaluator: LineEvaluator;
  banner: string;
  prompt: string;
  /** `HOST:PORT` of the peer, for the server's log. */
  remote: string;
  log: (message: string) => void;
  /** Called with the accepted hello, before the welcome (to apply its options, e.g. colours). */
  onHello?: ((hello: Hello) => void) | undefined;
  /** The line limiter the client's lines come through: its over-long lines become `line-too-long` errors. */
  limiter?: LineLimiter | undefined;
}

/** A structured client being served. */
export interface ProtocolSession {
  /** Resolves when the client has left or was closed. */
  readonly done: Promise<void>;
  /** Ends the session, telling the client why (`bye` with a reason). */
  close(reason?: string): void;
  /** Reads one line from the client's terminal (ainput in code this client runs). */
  ask(prompt: string, signal?: AbortSignal): Promise<string>;
}

type Handlers = { [T in ClientMessage['type']]: (message: ClientMessageOf<T>) => void };

/** One served protocol client: its state, and one handler per message type. */
class ProtocolClient implements ProtocolSession {
  readonly done: Promise<void>;
  readonly #options: ProtocolClientOptions;
  readonly #asks = new PendingCalls<string>();
  #closed = false;
  #rl: readline.Interface | undefined;
  #running: { id: number; controller: AbortController; settled: Promise<void> } | undefined;
  /** The loop command (`inspect`) running for this client: one at a time. */
  #inspecting: { id: number; command: string; controller: AbortController; settled: Promise<void> } | undefined;
  #completing = false;
  #previewing = false;
  #unwatch: (() => void) | undefined;
  /** Stops telling the client that its console moved by itself (its worker exited). */
  #unwatchTarget: (() => void) | undefined;
  #leaving = false;
  /** What both sides have (the client's announced capabilities and this server's). */
  #shared = new Set<string>();

  constructor(options: ProtocolClientOptions) {
    this.#options = options;
    const refused = this.#greet(options.hello);
    if (refused !== undefined) {
      options.log(`refused client ${options.remote}: ${refused}`);
      this.#closed = true;
      this.#asks.close(() => new EndOfInputError());
      this.done = Promise.resolve();
      return;
    }
    if (options.limiter) {
      const limit = options.limiter.limit;
      options.limiter.onTooLong = (length, head) =>
        this.#fail(requestIdOf(head), ERROR_CODES.lineTooLong, `line too long (${length} bytes, limit ${limit}); discarded`, { limit });
    }
    const { targets } = options.evaluator;
    this.#unwatchTarget = targets?.onNotice((text) => this.#send({ type: 'moved', text, where: targets.where() }));
    this.done = this.#serve();
  }

  close(reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#send(reason === undefined ? { type: 'bye' } : { type: 'bye', reason });
    this.#running?.controller.abort();
    this.#inspecting?.controller.abort();
    this.#stopWatching();
    this.#asks.close(() => new EndOfInputError());
    this.#rl?.close();
  }

  ask(prompt: string, signal?: AbortSignal): Promise<string> {
    const { id, reply } = this.#asks.add('ask', { signal, onAbort: () => new AbortedError(signal?.reason) });
    if (this.#asks.has(id)) this.#send({ type: 'ask', id, prompt });
    return reply;
  }

  /** One handler per message type. */
  readonly #handlers: Handlers = {
    hello: () => this.#fail(undefined, ERROR_CODES.badMessage, 'hello was already received'),
    eval: ({ id, code }) => {
      if (this.#running) this.#fail(id, ERROR_CODES.busy, `entry ${this.#running.id} is still running: one entry at a time`);
      else this.#evaluate(id, code);
    },
    interrupt: ({ id }) => {
      if (this.#running?.id === id) this.#running.controller.abort();
      if (this.#inspecting?.id === id) this.#inspecting.controller.abort();
    },
    inspect: (request) => {
      if (this.#inspecting) return this.#fail(request.id, ERROR_CODES.busy, `.${this.#inspecting.command} is still running for this console: one at a time`);
      this.#inspect(request);
    },
    complete: ({ id, line }) => {
      if (this.#completing) return this.#send({ type: 'completions', id, candidates: [], prefix: line });
      this.#completing = true;
      const { evaluator } = this.#options;
      const completer = evaluator.complete?.bind(evaluator) ?? (async (l: string): Promise<[string[], string]> => [[], l]);
      void completer(line)
        .catch((err: unknown): [string[], string] => {
          ignored(`completing for ${this.#options.remote}`, err);
          return [[], line];
        })
        .then(([candidates, prefix]) => this.#send({ type: 'completions', id, candidates, prefix }))
        .finally(() => (this.#completing = false));
    },
    // One preview at a time: a request that finds one running gets an empty answer (the next key asks again).
    preview: ({ id, code, width }) => {
      const { evaluator } = this.#options;
      if (this.#previewing || this.#running || !evaluator.preview) return this.#send({ type: 'previewed', id });
      this.#previewing = true;
      void evaluator
        .preview(code, width)
        .catch((err: unknown) => ignored(`previewing for ${this.#options.remote}`, err))
        .then((text) => this.#send(typeof text === 'string' ? { type: 'previewed', id, text } : { type: 'previewed', id }))
        .finally(() => (this.#previewing = false));
    },
    // Read on the session's event connection, one at a time there; entries go on meanwhile.
    scope: ({ id, file }) => {
      void (this.#options.evaluator.scope?.(file) ?? Promise.resolve(undefined)).then(
        (text) => this.#send(text === undefined ? { type: 'scoped', id } : { type: 'scoped', id, text }),
        (err: unknown) => this.#fail(id, ERROR_CODES.failed, (err as Error).message),
      );
    },
    // `.workers`, `.worker ID|main`, `.children`, `.attach PID`, `.detach`: this client's console alone moves.
    target: ({ id, command, arg }) => {
      const { targets } = this.#options.evaluator;
      if (!targets) return this.#fail(id, ERROR_CODES.failed, "this console cannot reach the program's worker threads");
      void targets.command(command, arg).then(
        (text) => this.#send({ type: 'targeted', id, text, where: targets.where() }),
        (err: unknown) => this.#fail(id, ERROR_CODES.failed, (err as Error).message),
      );
    },
    watch: ({ on }) => {
      if (on && !this.#unwatch) {
        this.#unwatch = this.#options.evaluator.watchOutput?.((text) => this.#send({ type: 'output', text, source: 'program' }));
        if (!this.#unwatch) this.#fail(undefined, ERROR_CODES.noOutput, "this console cannot see the program's output");
      } else if (!on) this.#stopWatching();
    },
    answer: ({ id, text }) => {
      if (text === undefined) this.#asks.reject(id, new EndOfInputError());
      else this.#asks.resolve(id, text);
    },
    bye: () => {
      this.#leaving = true;
    },
  };

  /** Checks the hello and answers it; the reason when the client is refused. */
  #greet(line: string): string | undefined {
    let hello: Hello;
    try {
      const m = decodeClientMessage(line);
      if (m.type !== 'hello') throw new Error(`expected a hello, got '${m.type}'`);
      hello = m;
    } catch (err) {
      this.#send({ type: 'error', code: ERROR_CODES.badHello, message: (err as Error).message, version: PROTOCOL_VERSION }, PROTOCOL_MAGIC);
      return `bad protocol hello (${(err as Error).message})`;
    }
    // Only another major version is refused: one minor apart, both use what both have.
    if (hello.version !== PROTOCOL_VERSION) {
      const message =
        `this console server speaks anode protocol version ${PROTOCOL_VERSION}, the client version ${hello.version}: ` +
        'connect with an anode of the same major version';
      this.#send({ type: 'error', code: ERROR_CODES.version, message, version: PROTOCOL_VERSION }, PROTOCOL_MAGIC);
      return `it speaks anode protocol version ${hello.version}, this server ${PROTOCOL_VERSION}`;
    }
    const theirs = announced(hello);
    this.#shared = new Set(this.#capabilities().filter((c) => theirs.has(c)));
    this.#options.onHello?.(this.#shared.has('colors') ? hello : { ...hello, colors: false });
    const { banner, prompt } = this.#options;
    this.#send({ type: 'welcome', version: PROTOCOL_VERSION, minor: PROTOCOL_MINOR, banner, prompt, capabilities: [...this.#shared] }, PROTOCOL_MAGIC);
    return undefined;
  }

  /** What this server offers with this evaluator. */
  #capabilities(): Capability[] {
    const { evaluator } = this.#options;
    const lacks: Partial<Record<Capability, boolean>> = {
      preview: !evaluator.preview,
      scope: !evaluator.scope,
      watch: !evaluator.watchOutput,
      targets: !evaluator.targets,
      inspect: !evaluator.inspection,
    };
    return CAPABILITIES.filter((c) => !lacks[c]);
  }

  #evaluate(id: number, code: string): void {
    const controller = new AbortController();
    const notify = (text: string): void => this.#send({ type: 'output', text: `${text}\n`, source: 'console' });
    const settled = this.#options.evaluator
      .evaluate(code, { signal: controller.signal, notify })
      .then(
        (outcome) => this.#send({ type: 'result', id, kind: outcome.kind, text: outcome.text }),
        (err: unknown) => {
          // The program went away: the whole console ends (the server says why to every client).
          if (isTargetClosed(err)) return this.close((err as Error).message);
          this.#send({ type: 'result', id, kind: 'error', text: `anode: ${(err as Error).message}` });
        },
      )
      .finally(() => {
        if (this.#running?.id === id) this.#running = undefined;
      });
    this.#running = { id, controller, settled };
  }

  /** Runs a loop command for this client; its chunks (and all its replies, in order) wait for the client to read them. */
  #inspect(request: InspectRequest): void {
    const { id } = request;
    const inspection = this.#options.evaluator.inspection?.();
    if (!inspection) return this.#fail(id, ERROR_CODES.failed, 'this console cannot look inside the program');
    const controller = new AbortController();
    const paced = new PacedOutput(this.#options.output, MAX_QUEUED_RECORDING);
    const reply = (message: ServerMessage): void => {
      if (!paced.write(encode(message))) controller.abort();
    };
    const settled = runInspect(inspection, request, {
      signal: controller.signal,
      started: (pid) => reply({ type: 'inspecting', id, pid }),
      progress: (text) => reply({ type: 'progress', id, text }),
      chunk: (chunk) => reply({ type: 'chunk', id, chunk }),
    })
      .then(
        ({ text, ms }) => {
          if (paced.overflowed) {
            const message = `this client read the recording more slowly than the program wrote it (over ${bytes(MAX_QUEUED_RECORDING)} waited): it was dropped for this client (the program is unharmed): take it over a faster link, or in a plain (nc) client, which writes it on the server`;
            return this.#fail(id, ERROR_CODES.failed, message);
          }
          reply(ms === undefined ? { type: 'inspected', id, text } : { type: 'inspected', id, text, ms });
        },
        (err: unknown) => {
          if (isTargetClosed(err)) return this.close((err as Error).message);
          this.#fail(id, ERROR_CODES.failed, (err as Error).message);
        },
      )
      .finally(() => {
        if (this.#inspecting?.id === id) this.#inspecting = undefined;
      });
    this.#inspecting = { id, command: request.command, controller, settled };
  }

  #stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#unwatchTarget?.();
    this.#unwatchTarget = undefined;
  }

  /** A request (with `id` when known) that could not be served, as a structured error. */
  #fail(id: number | undefined, code: string, message: string, extra: { limit?: number } = {}): void {
    this.#send({ type: 'error', code, message, ...(id !== undefined ? { id } : {}), ...extra });
  }

  #send(message: ServerMessage, prefix = ''): void {
    const { output } = this.#options;
    if (output.writableEnded || output.destroyed) return;
    debug('protocol → %s: %s', this.#options.remote, message.type);
    output.write(prefix + encode(message));
  }

  async #serve(): Promise<void> {
    const rl = (this.#rl = readline.createInterface({ input: this.#options.input, crlfDelay: Infinity }));
    try {
      for await (const line of rl) {
        if (this.#closed) break;
        let message: ClientMessage;
        try {
          message = decodeClientMessage(line);
        } catch (err) {
          this.#fail(requestIdOf(line), ERROR_CODES.badMessage, (err as Error).message);
          continue;
        }
        debug('protocol ← %s: %s', this.#options.remote, message.type);
        (this.#handlers[message.type] as (m: ClientMessage) => void)(message);
        if (this.#leaving) break;
        await whenDrained(this.#options.output);
      }
    } finally {
      this.#closed = true;
      rl.close();
      this.#stopWatching();
      this.#asks.close(() => new EndOfInputError());
      const last = this.#running;
      last?.controller.abort();
      // A recording for a client that left stops now (a profile is stopped in the program, not left running).
      const inspecting = this.#inspecting;
      inspecting?.controller.abort();
      await Promise.all([last?.settled, inspecting?.settled]);
    }
  }
}

/** Answers the hello and serves the client's requests until it leaves or close(). */
export function serveProtocolClient(options: ProtocolClientOptions): ProtocolSession {
  return new ProtocolClient(options);
}
