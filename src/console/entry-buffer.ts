// The entry being typed: lines are collected until the code is complete (an open `{` or backtick asks for
// more), within limits a served client cannot push anode past: the entry's length, and how much the
// completeness checks may re-read (each new line re-checks the whole entry, so that work grows with the
// square of its lines).
import { needsMore } from '../syntax/entry.js';

/** What one more line made of the entry: wait for more, a complete entry, or a discarded one (say why). */
export type Collected = { kind: 'more' } | { kind: 'entry'; code: string; lines: number } | { kind: 'discarded'; message: string };

export class EntryBuffer {
  readonly #maxLength: number;
  readonly #maxParse: number;
  #lines: string[] = [];
  #length = 0;
  #parsed = 0;

  constructor(maxLength = Infinity, maxParse = Infinity) {
    this.#maxLength = maxLength;
    this.#maxParse = maxParse;
  }

  /** True while no entry is being collected. */
  get empty(): boolean {
    return this.#lines.length === 0;
  }

  /** The lines of the entry being collected. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Adds a line (already checked against the line limit). */
  add(line: string): Collected {
    this.#lines.push(line);
    this.#length += line.length + (this.#lines.length > 1 ? 1 : 0);
    if (this.#lines.length > 1) {
      this.#parsed += this.#length;
      if (this.#length > this.#maxLength || this.#parsed > this.#maxParse) {
        const what = this.#length > this.#maxLength ? `limit ${this.#maxLength} characters` : 'too many lines: send it in fewer, longer lines';
        const message = `anode: entry too long (${this.#lines.length} lines, ${this.#length} characters; ${what}); discarded`;
        this.clear();
        return { kind: 'discarded', message };
      }
    }
    const code = this.#lines.join('\n');
    if (needsMore(code)) return { kind: 'more' };
    const lines = this.#lines.length;
    this.clear();
    return { kind: 'entry', code, lines };
  }

  /** Forgets the entry being collected (Ctrl-C, `.break`, a line too long). */
  clear(): void {
    this.#lines = [];
    this.#length = 0;
    this.#parsed = 0;
  }
}
