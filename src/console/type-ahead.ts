// Keys typed, and text pasted, while an entry runs: they wait here and are replayed once the next prompt
// is drawn, so the prompt, what was typed and the results come out in the order of a transcript (Node's
// readline echoes them at once and the result then lands in the middle of them). A bracketed paste
// (`ESC [200~ ... ESC [201~`) arrives as one piece of text: its Tabs are text, not completion, its lines
// are entered one by one (each after its prompt), or as one entry when the whole paste is one statement.
import * as acorn from 'acorn';
import { ACORN } from '../syntax/entry.js';
import type { Key, TtyInterface } from './keys.js';

type Item = { kind: 'key'; data: string; key: Key } | { kind: 'paste'; text: string } | { kind: 'line'; text: string };

export interface TypeAheadOptions {
  rl: TtyInterface;
  /** readline's own key handling. */
  next(data: string, key: Key): void;
  /** Submits `code`, several lines pasted as one entry, as if it had been typed and entered. */
  submit(code: string): void;
  /** Whether lines are being collected as one entry (`... ` prompt, editor mode): then a paste is lines. */
  collecting(): boolean;
}

export const PASTE_START = '\x1b[?2004h';
export const PASTE_END = '\x1b[?2004l';

export class TypeAhead {
  readonly #options: TypeAheadOptions;
  readonly #items: Item[] = [];
  /** An entry was submitted and its prompt is not drawn yet. */
  #busy = false;
  /** The text of a bracketed paste being received. */
  #pasted: string | undefined;
  /** True while pasted lines are replayed (editor mode keeps their own indentation). */
  #replayingPaste = false;

  constructor(options: TypeAheadOptions) {
    this.#options = options;
  }

  get replayingPaste(): boolean {
    return this.#replayingPaste;
  }

  /** Takes a key first: true when it was kept (typed ahead, or part of a paste). Ctrl-C is never kept. */
  onKey(data: string | undefined, key: Key): boolean {
    if (key.name === 'paste-start') {
      this.#pasted = '';
      return true;
    }
    if (this.#pasted !== undefined) {
      if (key.name === 'paste-end') {
        const text = this.#pasted.replace(/\r\n?/g, '\n');
        this.#pasted = undefined;
        this.#add({ kind: 'paste', text });
        return true;
      }
      const sequence = key.sequence ?? data ?? '';
      // Pasted escape sequences (arrows, colours) are not text.
      if (!sequence.startsWith('\x1b')) this.#pasted += sequence;
      return true;
    }
    if (!this.#busy || (key.ctrl && key.name === 'c')) return false;
    this.#items.push({ kind: 'key', data: data ?? '', key });
    return true;
  }

  /** An entry was submitted: later keys wait for its prompt. */
  hold(): void {
    this.#busy = true;
  }

  /** The entry asks for input (`ainput`): keys go to that question now, those typed ahead first. */
  pass(): void {
    this.release();
  }

  /** The prompt is drawn: what waited is replayed, up to the next line it submits. */
  release(): void {
    this.#busy = false;
    while (!this.#busy && this.#items.length > 0) this.#apply(this.#items.shift()!);
  }

  /** Ctrl-C: what was typed or pasted ahead is dropped with the entry it followed. */
  drop(): void {
    this.#items.length = 0;
  }

  #add(item: Item): void {
    if (this.#busy) this.#items.push(item);
    else this.#apply(item);
  }

  #apply(item: Item): void {
    const { next } = this.#options;
    if (item.kind === 'key') return next(item.data, item.key);
    if (item.kind === 'paste') return this.#paste(item.text);
    this.#replayingPaste = true;
    try {
      if (item.text) next(item.text, {});
      next('\r', { name: 'return', sequence: '\r' });
    } finally {
      this.#replayingPaste = false;
    }
  }

  /** A paste: text on one line is inserted; lines are entered one by one, or as one entry if they are one. */
  #paste(text: string): void {
    const lines = text.split('\n');
    if (lines.length === 1) {
      if (text) this.#options.next(text, {});
      return;
    }
    const { rl } = this.#options;
    const code = `${rl.line}${text}`.replace(/\n+$/, '');
    if (text.endsWith('\n') && rl.cursor === rl.line.length && code.includes('\n') && !this.#options.collecting() && oneStatement(code)) {
      this.#options.submit(code);
      return;
    }
    const last = lines.pop()!;
    const items: Item[] = lines.map((line) => ({ kind: 'line', text: line }));
    if (last) items.push({ kind: 'key', data: last, key: {} });
    this.#items.unshift(...items);
    if (!this.#busy) this.release();
  }
}

/** True when `code` parses as exactly one statement (a paste of one multi-line entry). */
function oneStatement(code: string): boolean {
  if (/^\s*\./.test(code)) return false;
  try {
    return acorn.parse(code, ACORN).body.length === 1;
  } catch {
    return false;
  }
}
