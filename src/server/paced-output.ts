// Lines that may come faster than the client reads them (a heap snapshot's chunks arrive as fast as V8
// writes them): queued here and written as the client's stream drains, so the stream's own backlog cap
// (BoundedOutput) never trips on them. Past `maxQueued` bytes waiting, the queue gives up: what it held
// is dropped, and write() says so, for the caller to stop.
import type { Writable } from 'node:stream';
import { whenDrained } from '../io/drain.js';
import { ignored } from '../log/debug.js';

export class PacedOutput {
  readonly #output: Writable;
  readonly #maxQueued: number;
  #queue: string[] = [];
  #queued = 0;
  #pumping: Promise<void> | undefined;
  #overflowed = false;

  constructor(output: Writable, maxQueued: number) {
    this.#output = output;
    this.#maxQueued = maxQueued;
  }

  /** True once more than `maxQueued` bytes waited (everything since is dropped). */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Queues `line`; false when it was dropped (the queue overflowed, or the stream is gone). */
  write(line: string): boolean {
    if (this.#overflowed || this.#gone()) return false;
    if (this.#queued + line.length > this.#maxQueued) {
      this.#overflowed = true;
      this.#queue = [];
      this.#queued = 0;
      return false;
    }
    this.#queue.push(line);
    this.#queued += line.length;
    this.#pumping ??= this.#pump()
      .catch((err: unknown) => ignored('pacing lines to a client (they are dropped)', err))
      .finally(() => (this.#pumping = undefined));
    return true;
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      await whenDrained(this.#output);
      if (this.#gone()) {
        this.#queue = [];
        this.#queued = 0;
        return;
      }
      // (The queue may have overflowed and been emptied while this waited.)
      const line = this.#queue.shift();
      if (line === undefined) return;
      this.#queued -= line.length;
      this.#output.write(line);
    }
  }

  #gone(): boolean {
    return this.#output.destroyed || this.#output.writableEnded;
  }
}
