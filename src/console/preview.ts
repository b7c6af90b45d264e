// The eager preview of Node's REPL (lib/internal/repl/utils.js setupPreview): while the user types in a
// terminal, the result the line would have, computed without side effects, is shown dimmed on the row
// under the input, and the cursor goes back where it was. It is removed before every key and redrawn
// (debounced) after it, so readline always edits a clean line.
import * as readline from 'node:readline';
import type { Writable } from 'node:stream';
import type { TtyInterface } from './keys.js';

const DEBOUNCE_MS = 50;
/** Node's limit: a preview longer than this is hard to read. */
const MAX_COLUMNS = 250;

export interface PreviewOptions {
  rl: TtyInterface;
  output: Writable;
  /** The preview text for `code` (already styled), or undefined for none. */
  compute(code: string, maxWidth: number): Promise<string | undefined>;
  /** Whether `code`, the whole current line, may be previewed right now (idle, complete, ...). */
  wanted(code: string): boolean;
}

export class Preview {
  readonly #options: PreviewOptions;
  /** The line the preview on screen belongs to, or undefined when none is shown. */
  #shown: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #computing = false;

  constructor(options: PreviewOptions) {
    this.#options = options;
    options.output.on('resize', this.#onResize);
  }

  /** readline redraws the line on a resize (the preview row goes with it): the preview is drawn again. */
  readonly #onResize = (): void => {
    this.forget();
    this.schedule();
  };

  /** The console ended: no more previews. */
  close(): void {
    this.forget();
    this.#options.output.off('resize', this.#onResize);
  }

  /** Removes the preview from the screen (before a key is handled, or anything is written). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#shown === undefined) return;
    this.#shown = undefined;
    const { output } = this.#options;
    const rows = this.#rowsBelowCursor() + 1;
    readline.moveCursor(output, 0, rows);
    readline.clearLine(output, 0);
    readline.moveCursor(output, 0, -rows);
  }

  /** The screen was redrawn by someone else (the preview row is gone with it). */
  forget(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#shown = undefined;
  }

  /** Computes and draws the preview of the current line once typing pauses. */
  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#show(), DEBOUNCE_MS);
    this.#timer.unref?.();
  }

  async #show(): Promise<void> {
    this.#timer = undefined;
    const code = this.#options.rl.line;
    if (this.#computing || this.#shown !== undefined || !this.#ready(code)) return;
    let text: string | undefined;
    this.#computing = true;
    try {
      text = await this.#options.compute(code, Math.min(this.#columns(), MAX_COLUMNS));
    } catch {
      text = undefined;
    } finally {
      this.#computing = false;
    }
    // The line may have changed (or been submitted) while the preview was computed: then it is stale.
    if (text === undefined || this.#options.rl.line !== code || this.#shown !== undefined || !this.#ready(code)) {
      if (this.#options.rl.line !== code) this.schedule();
      return;
    }
    this.#draw(code, text);
  }

  #ready(code: string): boolean {
    const trimmed = code.trim();
    return trimmed !== '' && !trimmed.endsWith(';') && this.#options.wanted(code);
  }

  #draw(code: string, text: string): void {
    const { output, rl } = this.#options;
    const below = this.#rowsBelowCursor();
    const cols = rl.getCursorPos().cols;
    readline.moveCursor(output, 0, below);
    output.write(`\n${text}`);
    readline.cursorTo(output, cols);
    readline.moveCursor(output, 0, -below - 1);
    this.#shown = code;
  }

  /** Rows of the input that lie below the cursor (a long line wraps). */
  #rowsBelowCursor(): number {
    const rl = this.#options.rl as TtyInterface & { _getDisplayPos?(text: string): { rows: number } };
    if (typeof rl._getDisplayPos !== 'function') return 0;
    const end = rl._getDisplayPos(`${rl.getPrompt()}${rl.line}`).rows;
    return Math.max(0, end - rl.getCursorPos().rows);
  }

  #columns(): number {
    const columns = (this.#options.output as Writable & { columns?: number }).columns;
    return typeof columns === 'number' && columns > 0 ? columns : 80;
  }
}
