// Lines of a stream, taken one at a time by whoever asks next (the CLI loop, or ainput inside a
// handler), so a line that arrived in the same chunk as the command is not lost. Reading pauses while
// lines wait unclaimed (back-pressure).
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { AbortedError } from '../errors.js';

export class LineQueue {
  readonly #rl: readline.Interface;
  readonly #lines: string[] = [];
  readonly #waiters: Array<(line: string | undefined) => void> = [];
  #ended = false;

  constructor(input: Readable) {
    this.#rl = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
    this.#rl.on('line', (line) => {
      const waiter = this.#waiters.shift();
      if (waiter) return waiter(line);
      this.#lines.push(line);
      this.#rl.pause();
    });
    this.#rl.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
  }

  /** The next line, or undefined at end of input; rejects with AbortedError when `signal` aborts. */
  next(signal?: AbortSignal): Promise<string | undefined> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter = (line: string | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(line);
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new AbortedError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#rl.resume();
    });
  }

  /** Stops reading; pending and later next() calls see the end of input. */
  close(): void {
    this.#rl.close();
  }
}
