// Removes the inspector's own lines from the program's stderr, only at the moments the inspector prints
// them, and passes everything else through byte for byte and at once, in linear time:
// - start-up: `Debugger listening on ws://…` and `For help, see: …` as the first lines of the stream;
// - attach: one `Debugger attached.` per connection anode opens (armed by `expect('attach')`);
// - detach: the start-up pair again when anode's last connection closes (armed by `expect('detach')`);
// - exit: `Waiting for the debugger to disconnect...` (and `Debugger ending on ws://…`) are printed once
//   the program's JavaScript is done: such a line is held until the stream ends or the program exits
//   (then it was the inspector's and is dropped) or more bytes come (then it was the program's and goes on).
// A line equal to an inspector line at any other moment is the program's and passes. Only the start of a
// line that may still become an expected inspector line (at most MAX_LINE bytes) is ever held.
import { Transform, type TransformCallback } from 'node:stream';

type Kind = 'listening' | 'help' | 'attached' | 'waiting' | 'ending';

const PREFIX: Record<Kind, string> = {
  listening: 'Debugger listening on ws://',
  help: 'For help, see: https://nodejs.org/',
  attached: 'Debugger attached.',
  waiting: 'Waiting for the debugger to disconnect...',
  ending: 'Debugger ending on ws://',
};
const IS: Record<Kind, (line: string) => boolean> = {
  listening: (l) => /^Debugger listening on ws:\/\/\S+$/.test(l),
  // Node 20 and 24: /en/docs/inspector; Node 22 and 26: /learn/getting-started/debugging.
  help: (l) => l === 'For help, see: https://nodejs.org/en/docs/inspector' || l === 'For help, see: https://nodejs.org/learn/getting-started/debugging',
  attached: (l) => l === 'Debugger attached.',
  waiting: (l) => l === 'Waiting for the debugger to disconnect...',
  ending: (l) => /^Debugger ending on ws:\/\/\S+$/.test(l),
};
const ARMED_KINDS: Kind[] = ['listening', 'help', 'attached'];
const EXIT_KINDS: Kind[] = ['waiting', 'ending'];
/** Longer than any inspector line: a line start beyond this is passed on, never held. */
const MAX_LINE = 512;

/** A Transform that drops the inspector's own lines from a stderr byte stream. */
export class InspectorLineFilter extends Transform {
  /** How many of each armed line are still expected. */
  readonly #expected = new Map<Kind, number>([
    ['listening', 1],
    ['help', 1],
  ]);
  #startup = true;
  #exited = false;
  #midLine = false;
  /** The start of a line that may still become an expected inspector line (latin1: one char per byte). */
  #partial = '';
  /** Complete exit lines held until it is known whose they are. */
  #heldExit: { kind: Kind; line: string }[] = [];

  /** Arms the lines the inspector prints when anode connects (`attach`, once per connection) or leaves (`detach`). */
  expect(kind: 'attach' | 'detach', count = 1): void {
    if (kind === 'attach') this.#arm('attached', count);
    else {
      this.#arm('listening', count);
      this.#arm('help', count);
    }
  }

  /** The program has exited: a held (or later) exit line is the inspector's. */
  programExited(): void {
    this.#exited = true;
    this.#heldExit = [];
  }

  #arm(kind: Kind, count: number): void {
    this.#expected.set(kind, (this.#expected.get(kind) ?? 0) + count);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // latin1 maps bytes 1:1 to chars, so what passes through is the exact bytes received.
    const s = chunk.toString('latin1');
    const out: string[] = [];
    let i = 0;
    while (i < s.length) {
      const nl = s.indexOf('\n', i);
      if (this.#midLine) {
        const end = nl < 0 ? s.length : nl + 1;
        out.push(s.slice(i, end));
        if (nl >= 0) this.#midLine = false;
        i = end;
        continue;
      }
      if (nl < 0) {
        const rest = s.slice(i);
        if (this.#partial.length + rest.length <= MAX_LINE && this.#couldBe(this.#partial + rest)) this.#partial += rest;
        else this.#pass(out, this.#takePartial() + rest, true);
        break;
      }
      if (this.#partial.length + (nl - i) > MAX_LINE) this.#pass(out, this.#takePartial() + s.slice(i, nl + 1), false);
      else this.#line(out, this.#takePartial() + s.slice(i, nl + 1));
      i = nl + 1;
    }
    if (out.length > 0) this.push(Buffer.from(out.join(''), 'latin1'));
    done();
  }

  override _flush(done: TransformCallback): void {
    // A held exit line at the end of the stream was the inspector's; an unfinished line is the program's.
    if (this.#partial) this.push(Buffer.from(this.#partial, 'latin1'));
    this.#partial = '';
    this.#heldExit = [];
    done();
  }

  /** One complete line (with its newline) that began at a line start. */
  #line(out: string[], line: string): void {
    const text = line.endsWith('\r\n') ? line.slice(0, -2) : line.slice(0, -1);
    for (const kind of ARMED_KINDS) {
      const left = this.#expected.get(kind) ?? 0;
      if (left > 0 && IS[kind](text)) {
        this.#expected.set(kind, left - 1);
        return;
      }
    }
    const exitKind = EXIT_KINDS.find((kind) => IS[kind](text));
    if (exitKind) {
      if (this.#exited) return;
      // The inspector prints each exit line once: an earlier one of the same kind was the program's.
      const earlier = this.#heldExit.findIndex((held) => held.kind === exitKind);
      if (earlier >= 0) out.push(...this.#heldExit.splice(0, earlier + 1).map((held) => held.line));
      this.#heldExit.push({ kind: exitKind, line });
      return;
    }
    this.#pass(out, line, false);
  }

  /** The program's bytes: whatever was held for an exit line goes first (it was the program's too). */
  #pass(out: string[], text: string, midLine: boolean): void {
    if (this.#heldExit.length > 0) out.push(...this.#heldExit.splice(0).map((held) => held.line));
    if (this.#startup) {
      // The start-up lines come before anything of the program's, or not at all.
      this.#startup = false;
      this.#expected.set('listening', 0);
      this.#expected.set('help', 0);
    }
    out.push(text);
    this.#midLine = midLine;
  }

  #takePartial(): string {
    const p = this.#partial;
    this.#partial = '';
    return p;
  }

  /** True when `text` (no newline yet) may still grow into a line the filter is waiting for. */
  #couldBe(text: string): boolean {
    const kinds = [...ARMED_KINDS.filter((k) => (this.#expected.get(k) ?? 0) > 0), ...EXIT_KINDS];
    return kinds.some((k) => {
      const p = PREFIX[k];
      return text.length <= p.length ? p.startsWith(text) : text.startsWith(p);
    });
  }
}
