// The raw baseline: a minimal CDP client over the `ws` package (what any client must do at least). Shared
// by the bench and the tests (test/helpers/faults.ts: a DevTools-style second debugger). Calls wait on
// anode's one pending-call registry (built: run `npm run build` first).
import WebSocket from 'ws';
import { PendingCalls } from '../../dist/io/pending-calls.js';

/** One raw WebSocket connection to an inspector: send(method, params) → result; on(event, fn). */
export class RawCdp {
  /**
   * @param {string} url
   * @returns {Promise<RawCdp>}
   */
  static connect(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new RawCdp(ws)));
      ws.once('error', reject);
    });
  }

  /** @param {WebSocket} ws */
  constructor(ws) {
    this.ws = ws;
    /** @type {PendingCalls<any>} */
    this.pending = new PendingCalls();
    /** @type {Map<string, Array<(params: any) => void>>} */
    this.listeners = new Map();
    /** Methods of the events received so far, in order. @type {string[]} */
    this.events = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== undefined) {
        if (msg.error) this.pending.reject(msg.id, new Error(msg.error.message));
        else this.pending.resolve(msg.id, msg.result ?? {});
      } else {
        this.events.push(msg.method);
        for (const fn of this.listeners.get(msg.method) ?? []) fn(msg.params);
        for (const fn of this.listeners.get('*') ?? []) fn(msg);
      }
    });
    ws.on('close', () => this.pending.close(() => new Error('WebSocket connection closed')));
    ws.on('error', () => undefined);
  }

  /**
   * @param {string} method
   * @param {object} [params]
   * @returns {Promise<any>}
   */
  send(method, params = {}) {
    const { id, reply } = this.pending.add(method);
    if (this.pending.has(id)) this.ws.send(JSON.stringify({ id, method, params }));
    return reply;
  }

  /**
   * @param {string} event a method, or '*' for every event message
   * @param {(params: any) => void} fn
   */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event)?.push(fn);
  }

  /**
   * Resolves once `count` events of `method` have arrived (counting those before the call).
   * @param {string} method
   * @param {number} [count]
   * @returns {Promise<void>}
   */
  waitForEvent(method, count = 1) {
    return new Promise((resolve) => {
      const check = () => {
        if (this.events.filter((e) => e === method).length < count) return false;
        resolve();
        return true;
      };
      const onEvent = () => {
        if (check()) this.off('*', onEvent);
      };
      if (!check()) this.on('*', onEvent);
    });
  }

  /**
   * @param {string} event
   * @param {(params: any) => void} fn
   */
  off(event, fn) {
    const list = this.listeners.get(event) ?? [];
    const at = list.indexOf(fn);
    if (at >= 0) list.splice(at, 1);
  }

  close() {
    this.ws.close();
  }
}
