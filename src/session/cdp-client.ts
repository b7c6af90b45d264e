// A Channel over a WebSocket inspector endpoint, through chrome-remote-interface.
import type CDP from 'chrome-remote-interface';
import { asPromiseCollected, ConnectError, TargetClosedError } from '../errors.js';
import { traceCdp, type CdpTrace } from '../log/cdp-trace.js';
import { ignored } from '../log/debug.js';
import type { Channel, Events, Method, Params, Result } from './channel.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** Socket errors that mean the target (or the way to it) is gone. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

let loading: Promise<typeof CDP> | undefined;
/**
 * Loads chrome-remote-interface (~65 ms of module loading). `anode run` starts this before it spawns the
 * program, so the two overlap instead of adding up; everyone else gets it on first connect.
 */
export function loadCdp(): Promise<typeof CDP> {
  loading ??= import('chrome-remote-interface').then((m) => m.default);
  return loading;
}

/** Opens one CDP connection to a ws:// inspector URL. */
export async function connectChannel(url: string): Promise<Channel> {
  let timer: NodeJS.Timeout | undefined;
  let client: CDP.Client;
  const CDP = await loadCdp();
  try {
    client = await Promise.race([
      // anode only calls client.send: an empty protocol spares building the whole API (~1 MB of JSON).
      CDP({ target: url, local: true, protocol: { version: { major: '1', minor: '3' }, domains: [] } as unknown as CDP.Protocol }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    throw new ConnectError(url, (err as Error).message, err);
  } finally {
    clearTimeout(timer);
  }
  return new CriChannel(client, traceCdp(url));
}

class CriChannel implements Channel {
  readonly closed: Promise<string>;
  #client: CDP.Client;
  #gone = false;
  readonly #trace: CdpTrace | undefined;
  #traced = 0;

  constructor(client: CDP.Client, trace?: CdpTrace) {
    this.#client = client;
    this.#trace = trace;
    if (trace) (client as unknown as NodeJS.EventEmitter).on('event', (m: { method: string; params?: unknown }) => trace.event(m.method, m.params));
    // One listener per pending check (e.g. `Debugger.paused` for each slow entry of each served client),
    // each removed when its check ends: many at once under load is not a leak.
    (client as unknown as NodeJS.EventEmitter).setMaxListeners(0);
    this.closed = new Promise((resolve) => {
      (client as unknown as NodeJS.EventEmitter).once('disconnect', () => {
        this.#gone = true;
        resolve('the inspector connection closed');
      });
    });
  }

  async send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return (await this.sendRaw(method, params as object | undefined)) as Result<M>;
  }

  async sendRaw(method: string, params?: object): Promise<unknown> {
    if (this.#gone) throw new TargetClosedError();
    const id = ++this.#traced;
    this.#trace?.sent(id, method, params);
    try {
      const result = await (this.#client.send as (m: string, p?: object) => Promise<unknown>)(method, params);
      this.#trace?.replied(id, method, result);
      return result;
    } catch (err) {
      this.#trace?.failed(id, method, err);
      // A target killed mid-send resets the connection (`write ECONNRESET`) before 'disconnect' arrives.
      const code = (err as NodeJS.ErrnoException).code;
      if (this.#gone || CONNECTION_LOST.has(code ?? '') || /WebSocket (connection closed|is not open)/.test((err as Error).message)) {
        throw new TargetClosedError(undefined, err);
      }
      throw asPromiseCollected(err);
    }
  }

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void {
    return this.onRaw(event, listener as (params: unknown) => void);
  }

  onRaw(event: string, listener: (params: unknown) => void): () => void {
    const c = this.#client as unknown as NodeJS.EventEmitter;
    c.on(event, listener);
    return () => c.off(event, listener);
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    await this.#client.close().catch((err: unknown) => ignored('closing a CDP connection', err));
  }
}
