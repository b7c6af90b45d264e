// Removes the inspector's own chatter from the program's stderr and passes everything else through
// byte for byte and at once. Only a line that could still become one of the inspector's lines is held.
import { Transform, type TransformCallback } from 'node:stream';

const INSPECTOR_LINES: RegExp[] = [
  /^Debugger listening on ws:\/\/\S+\r?\n/,
  /^For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector\r?\n/,
  /^Debugger attached\.\r?\n/,
  /^Waiting for the debugger to disconnect\.\.\.\r?\n/,
  /^Debugger ending on ws:\/\/\S+\r?\n/,
];
const PREFIXES = [
  'Debugger listening on ws://',
  'For help, see: https://nodejs.org/en/docs/inspector',
  'Debugger attached.',
  'Waiting for the debugger to disconnect...',
  'Debugger ending on ws://',
];

/** True when `text` (no newline yet) may still grow into an inspector line. */
function couldBeInspectorLine(text: string): boolean {
  return PREFIXES.some((p) => (text.length <= p.length ? p.startsWith(text) : text.startsWith(p)));
}

/** A Transform that drops the inspector's own lines from a stderr byte stream. */
export class InspectorLineFilter extends Transform {
  #held = '';
  #atLineStart = true;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // latin1 maps bytes 1:1 to chars, so what passes through is the exact bytes received.
    let text = this.#held + chunk.toString('latin1');
    this.#held = '';
    let out = '';
    while (text.length > 0) {
      if (!this.#atLineStart) {
        const nl = text.indexOf('\n');
        if (nl < 0) {
          out += text;
          text = '';
          break;
        }
        out += text.slice(0, nl + 1);
        text = text.slice(nl + 1);
        this.#atLineStart = true;
        continue;
      }
      const match = INSPECTOR_LINES.find((re) => re.test(text));
      if (match) {
        text = text.replace(match, '');
        continue;
      }
      const nl = text.indexOf('\n');
      const firstLine = nl < 0 ? text : text.slice(0, nl);
      if (nl < 0 && couldBeInspectorLine(firstLine)) {
        this.#held = text;
        break;
      }
      this.#atLineStart = false;
    }
    if (out) this.push(Buffer.from(out, 'latin1'));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#held) this.push(Buffer.from(this.#held, 'latin1'));
    done();
  }
}
