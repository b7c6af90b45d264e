// Input safety for served clients: passes only complete lines downstream and never holds more than
// `maxLineLength` bytes of one line. An over-long line is cut: its bytes are dropped up to the next newline
// and `onTooLong` tells the client, so readline never buffers a 10 MB line.
import { Transform, type TransformCallback } from 'node:stream';

/** The default longest line a served client may send, in bytes. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/**
 * The most characters a served client's multi-line entry may cost in completeness checks (each line
 * re-parses the whole entry): about 1000 lines of ordinary code, a fraction of a second of anode's time.
 */
export const DEFAULT_MAX_ENTRY_PARSE = 32 * 1024 * 1024;

/** How much of an over-long line is kept to report it (a protocol request's type and id come first). */
const HEAD_BYTES = 256;

/** Told of a dropped line: its length in bytes, and its first bytes. */
export type TooLongHandler = (length: number, head: string) => void;

/** A Transform that forwards whole lines and drops (and reports) lines longer than the limit. */
export class LineLimiter extends Transform {
  readonly #max: number;
  #onTooLong: TooLongHandler;
  #head = '';
  #pending: Buffer[] = [];
  #pendingLength = 0;
  /** Bytes of the current over-long line seen so far; -1 while the line is within the limit. */
  #dropping = -1;

  constructor(maxLineLength: number, onTooLong: TooLongHandler) {
    super();
    this.#max = maxLineLength;
    this.#onTooLong = onTooLong;
  }

  /** The longest line passed on, in bytes. */
  get limit(): number {
    return this.#max;
  }

  /** Replaces who is told of a dropped line (a protocol client is told in a message, not in text). */
  set onTooLong(handler: TooLongHandler) {
    this.#onTooLong = handler;
  }

  #tooLong(length: number): void {
    const head = this.#head;
    this.#head = '';
    this.#onTooLong(length, head);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl + 1;
      const piece = chunk.subarray(start, end);
      start = end;
      if (this.#dropping >= 0) {
        this.#dropping += piece.length;
        if (nl >= 0) {
          this.#tooLong(this.#dropping - 1);
          this.#dropping = -1;
        }
        continue;
      }
      if (this.#pendingLength + piece.length - (nl >= 0 ? 1 : 0) > this.#max) {
        this.#head = Buffer.concat([...this.#pending, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES).toString('utf8');
        this.#dropping = this.#pendingLength + piece.length;
        this.#pending = [];
        this.#pendingLength = 0;
        if (nl >= 0) {
          this.#tooLong(this.#dropping - 1);
          this.#dropping = -1;
        }
        continue;
      }
      this.#pending.push(piece);
      this.#pendingLength += piece.length;
      if (nl >= 0) {
        this.push(Buffer.concat(this.#pending));
        this.#pending = [];
        this.#pendingLength = 0;
      }
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#dropping >= 0) this.#tooLong(this.#dropping);
    else if (this.#pendingLength > 0) this.push(Buffer.concat(this.#pending));
    callback();
  }
}
