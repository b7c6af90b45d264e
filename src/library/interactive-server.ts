// What startInteractiveServer() resolves to: usable as a net.Server is (address(), close(), listening,
// ref/unref, the 'connection', 'close' and 'error' events), plus what a console server adds (its
// address as text, the clients connected now). close() also returns a promise that settles once every
// client has gone.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { LineServer } from '../server/listener.js';

export class InteractiveServer extends EventEmitter {
  readonly #line: LineServer;

  constructor(line: LineServer) {
    super();
    this.#line = line;
    for (const event of ['connection', 'close', 'error'] as const) {
      line.server.on(event, (...args: unknown[]) => {
        // An 'error' nobody listens to must not crash the program the console is in.
        if (event !== 'error' || this.listenerCount('error') > 0) this.emit(event, ...args);
      });
    }
  }

  /** As net.Server#address(): `{ address, family, port }` for TCP, the socket path for a unix socket; null once closed. */
  address(): AddressInfo | string | null {
    return this.#line.server.address();
  }

  /** `HOST:PORT` (the real port when 0 was asked) or `unix:PATH`, for messages and `anode connect`. */
  get endpoint(): string {
    return this.#line.address;
  }

  get listening(): boolean {
    return this.#line.server.listening;
  }

  /** Clients connected right now. */
  get clientCount(): number {
    return this.#line.clientCount;
  }

  /** Stops listening and ends every client; `callback` and the promise settle once all are gone. */
  close(callback?: (err?: Error) => void): Promise<void> {
    const closing = this.#line.close();
    if (callback) closing.then(() => callback(), callback);
    return closing;
  }

  ref(): this {
    this.#line.server.ref();
    return this;
  }

  unref(): this {
    this.#line.server.unref();
    return this;
  }
}
