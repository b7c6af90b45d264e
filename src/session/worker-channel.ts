// The worker threads of one CDP connection, through Node's `NodeWorker` domain: the connection learns of
// each worker (`attachedToWorker`, with a session id), carries that worker's own CDP messages
// (`sendMessageToWorker` / `receivedMessageFromWorker`) and hears when it is gone (`detachedFromWorker`).
// Each worker is offered as an ordinary Channel, so the evaluation session runs in a worker unchanged.
import { EventEmitter } from 'node:events';
import { TargetClosedError } from '../errors.js';
import { debug, debugEnabled } from '../log/debug.js';
import type { Channel, Events, Method, Params, Result } from './channel.js';

/** A worker thread as the inspector describes it. */
export interface WorkerInfo {
  /** The worker's `threadId` (stable across connections, unlike NodeWorker's own workerId). */
  threadId: number;
  /** Its `[worker N] name` title. */
  title: string;
  /** The file it runs (a file: URL), '' for a worker started from a string (`eval: true`). */
  url: string;
}

interface AttachedParams {
  sessionId: string;
  workerInfo: { workerId: string; title: string; url: string };
}

/** The thread id in a worker's inspector title (`[worker 2]`, `[worker 2] name`). */
export function threadIdOf(title: string): number | undefined {
  const m = /^\[worker (\d+)\]/.exec(title);
  return m ? Number(m[1]) : undefined;
}

/** The NodeWorker domain on one connection: which workers it holds, and a Channel into each. */
export class WorkerLink {
  readonly #parent: Channel;
  readonly #bySession = new Map<string, WorkerChannel>();
  readonly #byThread = new Map<number, WorkerChannel>();
  readonly #events = new EventEmitter();
  readonly #offs: Array<() => void> = [];

  private constructor(parent: Channel) {
    this.#parent = parent;
    this.#events.setMaxListeners(0);
    this.#offs.push(
      parent.onRaw('NodeWorker.attachedToWorker', (p) => this.#attached(p as AttachedParams)),
      parent.onRaw('NodeWorker.detachedFromWorker', (p) => this.#detached((p as { sessionId: string }).sessionId, 'it exited')),
      parent.onRaw('NodeWorker.receivedMessageFromWorker', (p) => {
        const { sessionId, message } = p as { sessionId: string; message: string };
        this.#bySession.get(sessionId)?.receive(message);
      }),
    );
    void parent.closed.then((reason) => {
      for (const off of this.#offs) off();
      for (const id of [...this.#bySession.keys()]) this.#detached(id, reason);
    });
  }

  /** Enables the NodeWorker domain on `parent`: every worker, started before or after, is attached. */
  static async open(parent: Channel): Promise<WorkerLink> {
    const link = new WorkerLink(parent);
    await parent.sendRaw('NodeWorker.enable', { waitForDebuggerOnStart: false });
    return link;
  }

  /** The workers attached now, in thread id order. */
  workers(): WorkerInfo[] {
    return [...this.#byThread.values()].map((c) => c.info).sort((a, b) => a.threadId - b.threadId);
  }

  /** The Channel into worker `threadId`, if it is attached. */
  channel(threadId: number): WorkerChannel | undefined {
    return this.#byThread.get(threadId);
  }

  /** Calls `listener` for every worker attached from now on; returns unsubscribe. */
  onAttached(listener: (info: WorkerInfo) => void): () => void {
    this.#events.on('attached', listener);
    return () => this.#events.off('attached', listener);
  }

  #attached(p: AttachedParams): void {
    const threadId = threadIdOf(p.workerInfo.title);
    if (threadId === undefined) return;
    const info = { threadId, title: p.workerInfo.title, url: p.workerInfo.url };
    const channel = new WorkerChannel(this.#parent, p.sessionId, info);
    this.#bySession.set(p.sessionId, channel);
    this.#byThread.set(threadId, channel);
    this.#events.emit('attached', info);
  }

  #detached(sessionId: string, reason: string): void {
    const channel = this.#bySession.get(sessionId);
    if (!channel) return;
    this.#bySession.delete(sessionId);
    if (this.#byThread.get(channel.info.threadId) === channel) this.#byThread.delete(channel.info.threadId);
    channel.gone(`worker ${channel.info.threadId} ${reason === 'it exited' ? 'exited' : `is gone (${reason})`}`);
  }
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One worker's CDP session, carried inside its connection's messages. */
export class WorkerChannel implements Channel {
  readonly info: WorkerInfo;
  readonly closed: Promise<string>;
  readonly #parent: Channel;
  readonly #sessionId: string;
  readonly #pending = new Map<number, PendingCall>();
  readonly #events = new EventEmitter();
  #nextId = 1;
  #gone: string | undefined;
  #markClosed!: (reason: string) => void;

  constructor(parent: Channel, sessionId: string, info: WorkerInfo) {
    this.#parent = parent;
    this.#sessionId = sessionId;
    this.info = info;
    this.#events.setMaxListeners(0);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  async send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return (await this.sendRaw(method, params as object | undefined)) as Result<M>;
  }

  sendRaw(method: string, params?: object): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(new TargetClosedError(this.#gone));
    const id = this.#nextId++;
    const message = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
    if (debugEnabled()) debug('worker %d ← %s', this.info.threadId, message.length > 500 ? `${message.slice(0, 500)}…` : message);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#parent.sendRaw('NodeWorker.sendMessageToWorker', { sessionId: this.#sessionId, message }).catch((err: unknown) => {
        if (!this.#pending.delete(id)) return;
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void {
    return this.onRaw(event, listener as (params: unknown) => void);
  }

  onRaw(event: string, listener: (params: unknown) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  /** A message the worker sent on this session: a reply, or an event. */
  receive(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string; code?: number } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      debug('worker %d: unreadable message dropped', this.info.threadId);
      return;
    }
    if (debugEnabled() && message.method !== 'Debugger.scriptParsed') {
      debug('worker %d → %s', this.info.threadId, text.length > 500 ? `${text.slice(0, 500)}…` : text);
    }
    if (message.id !== undefined) {
      const call = this.#pending.get(message.id);
      if (!call) return;
      this.#pending.delete(message.id);
      if (message.error) call.reject(new Error(message.error.message ?? 'the worker refused the request'));
      else call.resolve(message.result);
      return;
    }
    if (message.method) this.#events.emit(message.method, message.params);
  }

  /** The worker is gone (it exited, or the connection closed): every call in flight fails. */
  gone(reason: string): void {
    if (this.#gone !== undefined) return;
    this.#gone = reason;
    for (const call of this.#pending.values()) call.reject(new TargetClosedError(reason));
    this.#pending.clear();
    this.#markClosed(reason);
  }

  /**
   * Stops using this worker's session. It is not detached in the inspector: NodeWorker cannot attach a
   * worker again on the same connection, and the connection's own end releases it.
   */
  async close(): Promise<void> {
    this.gone(`left worker ${this.info.threadId}`);
  }
}
