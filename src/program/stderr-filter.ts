// Removes the inspector's own lines from the program's stderr, only at the moments the inspector prints
// them, and passes everything else through byte for byte and at once, in linear time:
// - start-up: `Debugger listening on ws://…` and `For help, see: …` as the first lines of the stream;
// - attach: one `Debugger attached.` per connection anode opens (armed by `expect('attach')`);
// - detach: the start-up pair again when anode's last connection closes (armed by `expect('detach')`);
// - exit: `Waiting for the debugger to disconnect...` (and `Debugger ending on ws://…`, with its `For
//   help, see: …` when anode's last connection closes before the inspector has stopped listening) are
//   printed once the program's JavaScript is done (before a crash's report): from such a line on, the bytes wait (in
//   order) until the program exits or the stream ends (the line was the inspector's: dropped, the rest
//   passes), or the program is still running 2 s later or prints the same line again (it was the
//   program's: everything passes).
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
/** How long the program may keep running after an exit line before that line is taken as its own. */
const HOLD_EXIT_MS = 2000;

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
  /**
   * From an exit line on, what came since (in order) until it is known whose that line is: the program's
   * exit (the inspector's: dropped), HOLD_EXIT_MS more of the program running, or another line of the same
   * kind (the program's: all of it passes, in order).
   */
  #held: { kind?: Kind; line: string }[] | undefined;
  #holdTimer: NodeJS.Timeout | undefined;
  /** The last line was a `Debugger ending on ws://…`: a `For help, see: …` right after it is its second line. */
  #afterEnding = false;

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
    this.#release(false);
  }

  /** Ends a hold: what was held goes on, without the exit lines when they were the inspector's. */
  #release(keepExitLines: boolean): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    const held = this.#held;
    this.#held = undefined;
    const text = (held ?? []).filter((h) => keepExitLines || h.kind === undefined).map((h) => h.line).join('');
    if (text) this.push(Buffer.from(text, 'latin1'));
  }

  #hold(kind: Kind, line: string): void {
    this.#held = [{ kind, line }];
    this.#holdTimer = setTimeout(() => this.#release(true), HOLD_EXIT_MS);
    this.#holdTimer.unref?.();
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
    this.#emit(out);
    done();
  }

  /** Passes `out` on, or behind a held exit line. */
  #emit(out: string[]): void {
    if (out.length === 0) return;
    if (this.#held) this.#held.push({ line: out.join('') });
    else this.push(Buffer.from(out.join(''), 'latin1'));
    out.length = 0;
  }

  override _flush(done: TransformCallback): void {
    // A held exit line at the end of the stream was the inspector's; an unfinished line is the program's.
    if (this.#partial) this.#emit([this.#partial]);
    this.#partial = '';
    this.#release(false);
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
    const afterEnding = this.#afterEnding;
    const exitKind = EXIT_KINDS.find((kind) => IS[kind](text)) ?? (afterEnding && IS.help(text) ? 'help' : undefined);
    this.#afterEnding = exitKind === 'ending';
    if (exitKind) {
      if (this.#exited) return;
      this.#emit(out);
      if (!this.#held) this.#hold(exitKind, line);
      else if (this.#held.some((h) => h.kind === exitKind)) {
        // The inspector prints each exit line once: the earlier one (and all after it) was the program's.
        this.#release(true);
        this.#hold(exitKind, line);
      } else this.#held.push({ kind: exitKind, line });
      return;
    }
    this.#pass(out, line, false);
  }

  /** The program's bytes. */
  #pass(out: string[], text: string, midLine: boolean): void {
    this.#afterEnding = false;
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
