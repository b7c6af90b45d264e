// The server half of the anode protocol: one structured client driven over the SAME per-client Evaluator a
// plain client gets (its own `_`, its own interrupt). The client runs the console engine (multi-line input,
// dot-commands, history) on its own terminal; this side only evaluates, completes, interrupts and mirrors.
// The listener's limits still hold: lines are cut by LineLimiter, output goes through BoundedOutput, and a
// client has at most one entry and one completion in flight; replies wait for the client to read them.
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { whenDrained } from '../io/drain.js';
import type { LineEvaluator } from '../console/types.js';
import { AbortedError, EndOfInputError } from '../errors.js';
import {
  PROTOCOL_MAGIC,
  PROTOCOL_VERSION,
  decodeClientMessage,
  encode,
  type ClientMessage,
  type Hello,
  type ServerMessage,
} from './protocol.js';

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

/** Answers the hello and serves the client's requests until it leaves or close(). */
export function serveProtocolClient(options: ProtocolClientOptions): ProtocolSession {
  const { input, output, evaluator, log, remote } = options;
  const send = (message: ServerMessage, prefix = ''): void => {
    if (!output.writableEnded && !output.destroyed) output.write(prefix + encode(message));
  };
  let closed = false;
  let rl: readline.Interface | undefined;
  let running: { id: number; controller: AbortController; settled: Promise<void> } | undefined;
  let completing = false;
  let unwatch: (() => void) | undefined;
  const asks = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let nextAsk = 1;

  const ask = (prompt: string, signal?: AbortSignal): Promise<string> => {
    if (closed) return Promise.reject(new EndOfInputError());
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    const id = nextAsk++;
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => {
        asks.delete(id);
        reject(new AbortedError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      asks.set(id, {
        resolve: (text) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(text);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
      send({ type: 'ask', id, prompt });
    });
  };
  const endAsks = (): void => {
    for (const [id, a] of asks) {
      asks.delete(id);
      a.reject(new EndOfInputError());
    }
  };

  const close = (reason?: string): void => {
    if (closed) return;
    closed = true;
    send(reason === undefined ? { type: 'bye' } : { type: 'bye', reason });
    running?.controller.abort();
    unwatch?.();
    unwatch = undefined;
    endAsks();
    rl?.close();
  };

  const hello = greet(options.hello);
  if (typeof hello === 'string') {
    log(`refused client ${remote}: ${hello}`);
    closed = true;
    return { done: Promise.resolve(), close: () => undefined, ask: () => Promise.reject(new EndOfInputError()) };
  }

  function greet(line: string): true | string {
    let hello: Hello;
    try {
      const m = decodeClientMessage(line);
      if (m.type !== 'hello') throw new Error(`expected a hello, got '${m.type}'`);
      hello = m;
    } catch (err) {
      send({ type: 'error', code: 'bad-hello', message: (err as Error).message, version: PROTOCOL_VERSION }, PROTOCOL_MAGIC);
      return `bad protocol hello (${(err as Error).message})`;
    }
    const version = hello.version;
    if (version !== PROTOCOL_VERSION) {
      const message =
        `this console server speaks anode protocol version ${PROTOCOL_VERSION}, the client version ${version}: ` +
        'connect with an anode of the same version';
      send({ type: 'error', code: 'version', message, version: PROTOCOL_VERSION }, PROTOCOL_MAGIC);
      return `it speaks anode protocol version ${version}, this server ${PROTOCOL_VERSION}`;
    }
    options.onHello?.(hello);
    send({ type: 'welcome', version: PROTOCOL_VERSION, banner: options.banner, prompt: options.prompt }, PROTOCOL_MAGIC);
    return true;
  }

  const runEval = (id: number, code: string): void => {
    const controller = new AbortController();
    const settled = evaluator
      .evaluate(code, { signal: controller.signal, notify: (text) => send({ type: 'output', text: `${text}\n`, source: 'console' }) })
      .then(
        (outcome) => send({ type: 'result', id, kind: outcome.kind, text: outcome.text }),
        (err: unknown) => {
          // The program went away: the whole console ends (the server says why to every client).
          if ((err as { code?: string }).code === 'ANODE_TARGET_CLOSED') return close((err as Error).message);
          send({ type: 'result', id, kind: 'error', text: `anode: ${(err as Error).message}` });
        },
      )
      .finally(() => {
        if (running?.id === id) running = undefined;
      });
    running = { id, controller, settled };
  };

  const runComplete = (id: number, line: string): void => {
    completing = true;
    const completer = evaluator.complete?.bind(evaluator) ?? (async (l: string): Promise<[string[], string]> => [[], l]);
    void completer(line)
      .catch((): [string[], string] => [[], line])
      .then(([candidates, prefix]) => send({ type: 'completions', id, candidates, prefix }))
      .finally(() => (completing = false));
  };

  // One preview at a time: a request that finds one running gets an empty answer (the next key asks again).
  let previewing = false;
  const runPreview = (id: number, code: string, width: number): void => {
    if (previewing || running || !evaluator.preview) return send({ type: 'previewed', id });
    previewing = true;
    void evaluator
      .preview(code, width)
      .catch(() => undefined)
      .then((text) => send(text === undefined ? { type: 'previewed', id } : { type: 'previewed', id, text }))
      .finally(() => (previewing = false));
  };

  const handle = (m: ClientMessage): boolean => {
    switch (m.type) {
      case 'eval':
        if (running) send({ type: 'error', id: m.id, code: 'busy', message: `entry ${running.id} is still running: one entry at a time` });
        else runEval(m.id, m.code);
        return true;
      case 'interrupt':
        if (running?.id === m.id) running.controller.abort();
        return true;
      case 'complete':
        if (completing) send({ type: 'completions', id: m.id, candidates: [], prefix: m.line });
        else runComplete(m.id, m.line);
        return true;
      case 'preview':
        runPreview(m.id, m.code, m.width);
        return true;
      case 'scope':
        // Read on the session's event connection, one at a time there; entries go on meanwhile.
        void (evaluator.scope?.(m.file) ?? Promise.resolve(undefined))
          .catch((err: unknown) => `anode: ${(err as Error).message}`)
          .then((text) => send(text === undefined ? { type: 'scoped', id: m.id } : { type: 'scoped', id: m.id, text }));
        return true;
      case 'target': {
        const targets = evaluator.targets;
        void (targets ? targets.command(m.command, m.arg) : Promise.resolve("this console cannot reach the program's worker threads"))
          .catch((err: unknown) => `anode: ${(err as Error).message}`)
          .then((text) => send({ type: 'targeted', id: m.id, text, where: targets?.where() ?? '' }));
        return true;
      }
      case 'watch':
        if (m.on && !unwatch) {
          unwatch = evaluator.watchOutput?.((text) => send({ type: 'output', text, source: 'program' }));
          if (!unwatch) send({ type: 'error', code: 'no-output', message: "this console cannot see the program's output" });
        } else if (!m.on) {
          unwatch?.();
          unwatch = undefined;
        }
        return true;
      case 'answer': {
        const pending = asks.get(m.id);
        asks.delete(m.id);
        if (m.text === undefined) pending?.reject(new EndOfInputError());
        else pending?.resolve(m.text);
        return true;
      }
      case 'bye':
        return false;
      case 'hello':
        send({ type: 'error', code: 'bad-message', message: 'hello was already received' });
        return true;
    }
  };

  // This client's console moved by itself (its worker exited): the client's prompt follows.
  const unwatchTarget = evaluator.targets?.onNotice((text) => send({ type: 'moved', text, where: evaluator.targets?.where() ?? '' }));
  const done = (async () => {
    rl = readline.createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of rl) {
        if (closed) break;
        let message: ClientMessage;
        try {
          message = decodeClientMessage(line);
        } catch (err) {
          send({ type: 'error', code: 'bad-message', message: (err as Error).message });
          continue;
        }
        if (!handle(message)) break;
        await whenDrained(output);
      }
    } finally {
      closed = true;
      rl.close();
      unwatch?.();
      unwatchTarget?.();
      endAsks();
      const last = running;
      last?.controller.abort();
      await last?.settled;
    }
  })();
  return { done, close, ask };
}

