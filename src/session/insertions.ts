// A text made from an original by inserting pieces, which can map a position in the result back to the
// original: the console adds code around an entry (a yield, `_` restores, the formatter call), and the
// stack traces the target prints should still point where the user typed, as Node's REPL does.

/** Text to put before the original's character at offset `at` (in the order they were added). */
export interface Insertion {
  at: number;
  text: string;
}

/** Line and column, both counted from 1 as in stack traces. */
export interface Position {
  line: number;
  column: number;
}

export class InsertedText {
  /** The result. */
  readonly text: string;
  /** [offset in the result, offset in the original] where each run of original text starts. */
  readonly #runs: [number, number][] = [];
  readonly #original: string;

  constructor(original: string, insertions: readonly Insertion[]) {
    this.#original = original;
    const sorted = [...insertions].sort((a, b) => a.at - b.at); // stable: same `at` keeps its order
    let out = '';
    let from = 0;
    for (const { at, text } of sorted) {
      this.#runs.push([out.length, from]);
      out += original.slice(from, at) + text;
      from = at;
    }
    this.#runs.push([out.length, from]);
    this.text = out + original.slice(from);
  }

  /** Where `position` of the result was in the original; inside inserted text, the insertion point. */
  original(position: Position): Position {
    const offset = offsetOf(this.text, position);
    let mapped = 0;
    for (let i = 0; i < this.#runs.length; i++) {
      const [resultStart, originalStart] = this.#runs[i]!;
      if (resultStart > offset) break;
      const runLength = (this.#runs[i + 1]?.[1] ?? this.#original.length) - originalStart;
      mapped = originalStart + Math.min(offset - resultStart, runLength);
    }
    return positionOf(this.#original, mapped);
  }
}

function offsetOf(text: string, { line, column }: Position): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + column - 1;
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
