// `.editor`, as in Node's REPL: later lines are collected until Ctrl+D (the entry is evaluated) or
// Ctrl+C (it is discarded). Readline emits lines ahead of the engine's reading loop (a paste), so lines
// are collected as readline emits them and the loop is told, line by line, what each one was.
import type * as readline from 'node:readline';
import type { Key, TtyInterface } from './keys.js';

/** What the reading loop should do with the line it takes: evaluate it, skip it, or run the entry. */
export type EditorTake = 'line' | 'collected' | { code: string; lines: number };

export class EditorMode {
  readonly #rl: readline.Interface;
  /** Lines typed in editor mode, or undefined outside it. */
  #lines: string[] | undefined;
  /** Ctrl+D ended editor mode: the line readline is about to emit is the last one. */
  #done = false;
  /** Lines emitted by readline, and lines the reading loop has taken (it can lag behind on a paste). */
  #emitted = 0;
  #taken = 0;
  /** By line number: null for a line collected, the entry at the line that ended editor mode. */
  readonly #collected = new Map<number, { code: string; lines: number } | null>();

  constructor(rl: readline.Interface) {
    this.#rl = rl;
  }

  /** True while lines are being collected. */
  get active(): boolean {
    return this.#lines !== undefined;
  }

  /** Starts collecting lines. */
  enter(): void {
    this.#lines = [];
    this.#done = false;
  }

  /** Keys in editor mode: Ctrl+D submits, history keys do nothing; other keys go on to `next`. */
  onKey(data: string, key: Key, next: (data: string, key: Key) => void): void {
    if (!this.#lines) return next(data, key);
    if (key.ctrl && !key.shift && key.name === 'd') {
      this.#done = true;
      return next(data, { name: 'return' });
    }
    if (key.ctrl && !key.shift && (key.name === 'n' || key.name === 'p')) return;
    if (!key.ctrl && !key.meta && (key.name === 'up' || key.name === 'down')) return;
    next(data, key);
  }

  /** Call for every line readline emits; `typed` lines give the next one their indentation (not pasted ones). */
  emitted(line: string, typed = true): void {
    this.#emitted += 1;
    const lines = this.#lines;
    if (!lines) return;
    lines.push(line);
    if (this.#done) {
      this.#done = false;
      this.#lines = undefined;
      this.#collected.set(this.#emitted, { code: lines.join('\n'), lines: lines.filter((l) => l.length > 0).length });
      return;
    }
    this.#collected.set(this.#emitted, null);
    // Node's code alignment: the next line starts with this line's indentation (keys typed ahead land after it).
    const indent = typed ? /^[ \t]+/.exec(line)?.[0] : undefined;
    if (indent) this.#rl.write(indent);
  }

  /** Call for every line the reading loop takes: what that line is. */
  take(): EditorTake {
    this.#taken += 1;
    const entry = this.#collected.get(this.#taken);
    if (entry === undefined) return 'line';
    this.#collected.delete(this.#taken);
    return entry ?? 'collected';
  }

  /** Ctrl+C: leaves editor mode and forgets what was typed in it. */
  cancel(prompt: string): void {
    const rl = this.#rl as TtyInterface;
    this.#lines = undefined;
    this.#done = false;
    rl.line = '';
    rl.cursor = 0;
    rl.setPrompt(prompt);
  }
}
