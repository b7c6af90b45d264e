// Tells an anode client from a plain one (nc) by its first line: an anode client opens with the protocol's
// hello (see protocol.ts); anything else passes through untouched to the plain-text console. The input it
// reads comes from LineLimiter, so every chunk is one whole line.
import { Transform, type TransformCallback } from 'node:stream';
import { isHelloLine } from './protocol.js';

/** Passes lines through, except a first-line hello, which it keeps and announces with a 'hello' event. */
export class ProtocolSniffer extends Transform {
  #first = true;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#first) {
      this.#first = false;
      const line = chunk.toString('utf8');
      if (isHelloLine(line)) {
        this.emit('hello', line.replace(/\r?\n$/, ''));
        return callback();
      }
    }
    callback(null, chunk);
  }
}
