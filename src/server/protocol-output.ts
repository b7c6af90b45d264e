// A Writable for code that writes to a structured client's console (aprint in a startInteractiveServer
// console): each chunk goes out as an `output` message, so it never breaks the client's JSON framing.
import { Writable } from 'node:stream';
import { encode } from './protocol.js';

/** Wraps what is written into `output` messages on `socket` (the client's bounded output). */
export class ProtocolOutput extends Writable {
  readonly #out: Writable;

  constructor(out: Writable) {
    super({ decodeStrings: false });
    this.#out = out;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.#out.writableEnded || this.#out.destroyed) return callback();
    if (this.#out.write(encode({ type: 'output', text, source: 'console' }))) return callback();
    const done = (): void => {
      this.#out.off('drain', done);
      this.#out.off('close', done);
      callback();
    };
    this.#out.on('drain', done);
    this.#out.on('close', done);
  }
}
