// A Channel into THIS process, over node:inspector's in-process Session: the library's consoles run
// the same EvalSession/Evaluator code as remote ones, with the same replMode semantics and formatting.
import inspector from 'node:inspector';
import { asPromiseCollected, TargetClosedError } from '../errors.js';
import { traceCdp, type CdpTrace } from '../log/cdp-trace.js';
import type { Channel, Events, Method, Params, Result } from './channel.js';

/** Opens one in-process inspector session. */
export function connectInProcess(): Channel {
  const session = new inspector.Session();
  session.connect();
  return new InspectorChannel(session);
}

class InspectorChannel implements Channel {
  readonly closed: Promise<string>;
  readonly #session: inspector.Session;
  #gone = false;
  #markClosed!: (reason: string) => void;
  readonly #trace: CdpTrace | undefined = traceCdp('this process (node:inspector)');
  #traced = 0;

  constructor(session: inspector.Session) {
    this.#session = session;
    const trace = this.#trace;
    if (trace) session.on('inspectorNotification', (m: { method: string; params?: unknown }) => trace.event(m.method, m.params));
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  async send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return (await this.sendRaw(method, params as object | undefined)) as Result<M>;
  }

  sendRaw(method: string, params?: object): Promise<unknown> {
    if (this.#gone) return Promise.reject(new TargetClosedError('the in-process console was closed'));
    return new Promise((resolve, reject) => {
      try {
        const post = this.#session.post.bind(this.#session) as (m: string, p: object | undefined, cb: (e: Error | null, r?: unknown) => void) => void;
        const id = ++this.#traced;
        this.#trace?.sent(id, method, params);
        post(method, params, (err, result) => {
          if (err) {
            this.#trace?.failed(id, method, err);
            reject(asPromiseCollected(err));
          } else {
            this.#trace?.replied(id, method, result);
            resolve(result);
          }
        });
      } catch (err) {
        reject(new TargetClosedError('the in-process console was closed', err));
      }
    });
  }

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void {
    return this.onRaw(event, listener as (params: unknown) => void);
  }

  onRaw(event: string, listener: (params: unknown) => void): () => void {
    const handler = (message: { params?: unknown }): void => listener(message.params);
    this.#session.on(event, handler);
    return () => this.#session.off(event, handler);
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    this.#session.disconnect();
    this.#markClosed('the in-process console was closed');
  }
}
