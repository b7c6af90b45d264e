// A Channel into THIS process through a worker thread's inspector session connected to the main thread
// (inspector.Session#connectToMainThread). Replies reach the main thread as messages from the worker, so
// a reply the inspector sends from inside the garbage collector ("Promise was collected") runs no
// JavaScript there: on the releases where an in-process session aborts on it, this one gets the error.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { asPromiseCollected, TargetClosedError } from '../errors.js';
import { ignoreFailure } from '../log/debug.js';
import type { Channel, Events, Method, Params, Result } from './channel.js';

/** Runs in the worker: forwards commands to a session on the main thread, and its replies and events back. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const inspector = require('node:inspector');
const session = new inspector.Session();
session.connectToMainThread();
session.on('inspectorNotification', (m) => parentPort.postMessage({ event: m.method, params: m.params }));
parentPort.on('message', (m) => {
  try {
    session.post(m.method, m.params, (err, result) =>
      parentPort.postMessage({ id: m.id, error: err ? String(err.message) : undefined, result }));
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message) });
  }
});
`;

interface Reply {
  id?: number;
  error?: string;
  result?: unknown;
  event?: string;
  params?: unknown;
}

/** Opens one inspector session on this process's main thread, driven from a worker thread. */
export function connectThroughWorker(): Channel {
  // No execArgv: the program's --require/--import/--input-type are not the worker's business.
  return new WorkerInspectorChannel(new Worker(WORKER_SOURCE, { eval: true, execArgv: [], stdout: false, stderr: false }));
}

class WorkerInspectorChannel implements Channel {
  readonly closed: Promise<string>;
  readonly #worker: Worker;
  readonly #events = new EventEmitter();
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  readonly #abandoned = new Set<number>();
  readonly #ids = new WeakMap<Promise<unknown>, number>();
  #seq = 0;
  #gone = false;
  #markClosed!: (reason: string) => void;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.#events.setMaxListeners(0);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    worker.on('message', (m: Reply) => this.#receive(m));
    worker.on('error', (err) => this.#end(`the in-process console failed: ${err.message}`));
    worker.on('exit', () => this.#end('the in-process console was closed'));
    // The worker keeps the process alive only while a reply is awaited (as a pending in-process call would).
    worker.unref();
  }

  send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    // The very promise sendRaw made: abandon() knows it.
    return this.sendRaw(method, params as object | undefined) as Promise<Result<M>>;
  }

  sendRaw(method: string, params?: object): Promise<unknown> {
    if (this.#gone) return Promise.reject(new TargetClosedError('the in-process console was closed'));
    const id = ++this.#seq;
    const reply = new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#holding();
      this.#worker.postMessage({ id, method, params });
    });
    this.#ids.set(reply, id);
    return reply;
  }

  abandon(reply: Promise<unknown>): void {
    const id = this.#ids.get(reply);
    if (id !== undefined && this.#pending.has(id)) {
      this.#abandoned.add(id);
      this.#holding();
    }
  }

  /** Keeps the process alive while a reply someone waits for is due. */
  #holding(): void {
    if (this.#pending.size > this.#abandoned.size) this.#worker.ref();
    else this.#worker.unref();
  }

  #receive(m: Reply): void {
    if (m.event !== undefined) {
      this.#events.emit(m.event, m.params);
      return;
    }
    const waiter = this.#pending.get(m.id!);
    if (!waiter) return;
    this.#pending.delete(m.id!);
    this.#abandoned.delete(m.id!);
    this.#holding();
    if (m.error !== undefined) waiter.reject(asPromiseCollected(new Error(m.error)));
    else waiter.resolve(m.result);
  }

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void {
    return this.onRaw(event, listener as (params: unknown) => void);
  }

  onRaw(event: string, listener: (params: unknown) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  #end(reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    for (const waiter of this.#pending.values()) waiter.reject(new TargetClosedError(reason));
    this.#pending.clear();
    this.#markClosed(reason);
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    this.#end('the in-process console was closed');
    ignoreFailure(this.#worker.terminate(), 'stopping the in-process console worker');
  }
}
