// A Channel over a WebSocket inspector endpoint, through chrome-remote-interface.
import type CDP from 'chrome-remote-interface';
import { asPromiseCollected, ConnectError, TargetClosedError } from '../errors.js';
import { traceCdp, type CdpTrace } from '../log/cdp-trace.js';
import { ignored } from '../log/debug.js';
import type { Channel, Events, Method, Params, Result } from './channel.js';

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The inspector writes its replies on a socket with Nagle's algorithm on: a reply behind one not yet
 * acknowledged waits for the acknowledgement, and this side's TCP delays that ~40 ms when it has nothing
 * to send. So while replies are still awaited and nothing was sent for ACK_CARRIER_MS after one arrived,
 * a small command carries the acknowledgement at once (its reply is not awaited). Measured: ten pipelined
 * evaluations, the last nine 43 ms late without it, 1-2 ms with it.
 */
const ACK_CARRIER_MS = 1;
const ACK_CARRIER_METHOD = 'Runtime.getIsolateId';
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
  /** Commands sent whose replies are awaited (acknowledgement carriers not counted). */
  #awaited = 0;
  /** Commands sent so far: a carrier is needed only if none went out since a reply arrived. */
  #sent = 0;
  #carrierTimer: NodeJS.Timeout | undefined;

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
    this.#sent += 1;
    this.#awaited += 1;
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
    } finally {
      this.#awaited -= 1;
      this.#replied();
    }
  }

  /** A reply arrived: if others are still awaited, make sure this side's acknowledgement leaves soon. */
  #replied(): void {
    if (this.#awaited === 0 || this.#carrierTimer || this.#gone) return;
    const sent = this.#sent;
    this.#carrierTimer = setTimeout(() => {
      this.#carrierTimer = undefined;
      if (this.#awaited === 0 || this.#sent !== sent || this.#gone) return;
      this.#sent += 1;
      const id = ++this.#traced;
      this.#trace?.sent(id, ACK_CARRIER_METHOD, undefined);
      (this.#client.send as (m: string) => Promise<unknown>)(ACK_CARRIER_METHOD).then(
        (result) => this.#trace?.replied(id, ACK_CARRIER_METHOD, result),
        (err: unknown) => ignored('an acknowledgement carrier', err),
      );
    }, ACK_CARRIER_MS);
    this.#carrierTimer.unref();
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
    clearTimeout(this.#carrierTimer);
    if (this.#gone) return;
    await this.#client.close().catch((err: unknown) => ignored('closing a CDP connection', err));
  }
}
