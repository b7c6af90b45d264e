// Output safety for served clients: a Writable in front of the socket that keeps the engine's back-pressure
// (it waits for 'drain') and destroys the client once more than `maxBuffered` bytes wait for a reader that
// never reads, so one client cannot grow anode's memory without bound.
import { whenDrained } from '../io/drain.js';
import { Writable } from 'node:stream';
import type { Socket } from 'node:net';

/** The default most bytes queued for one client before it is dropped. */
export const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;

/** The client's output stream: forwards to `socket`, drops the client when its backlog passes the cap. */
export class BoundedOutput extends Writable {
  readonly #socket: Socket;
  readonly #max: number;
  readonly #onOverflow: () => void;

  constructor(socket: Socket, maxBuffered: number, onOverflow: () => void) {
    super({ highWaterMark: 64 * 1024, decodeStrings: false });
    this.#socket = socket;
    this.#max = maxBuffered;
    this.#onOverflow = onOverflow;
    socket.once('close', () => this.destroy());
  }

  /** Bytes waiting for this client, here and in the socket. */
  get backlog(): number {
    return this.writableLength + this.#socket.writableLength;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override write(chunk: any, encoding?: any, callback?: any): boolean {
    const ok = super.write(chunk, encoding, callback);
    if (this.backlog > this.#max && !this.destroyed) {
      this.#onOverflow();
      this.destroy();
      this.#socket.destroy();
    }
    return ok;
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return callback();
    if (socket.write(chunk, encoding)) return callback();
    void whenDrained(socket).then(() => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#socket.destroyed) return callback();
    this.#socket.end(() => callback());
  }
}
