// Ctrl+R: reverse incremental search through the history, as bash and Node's REPL offer it. The search is
// shown in readline's own prompt (`(reverse-i-search)`abc': `), so readline keeps drawing the line.
import type { Key, TtyInterface } from './keys.js';

type SearchInterface = TtyInterface & { history: string[]; _refreshLine(): void };

export class ReverseSearch {
  readonly #rl: SearchInterface;
  #active = false;
  #query = '';
  /** Index in readline's history (newest first) of the shown match; -1 when none. */
  #at = -1;
  #savedPrompt = '';
  #savedLine = '';

  constructor(rl: TtyInterface) {
    this.#rl = rl as SearchInterface;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Takes the key if it belongs to the search; false lets readline handle it (after the search ends). */
  onKey(data: string, key: Key): boolean {
    if (!this.#active) {
      if (!(key.ctrl && key.name === 'r')) return false;
      this.#active = true;
      this.#query = '';
      this.#at = -1;
      this.#savedPrompt = this.#rl.getPrompt();
      this.#savedLine = this.#rl.line;
      this.#show();
      return true;
    }
    if (key.ctrl && key.name === 'r') {
      this.#find(this.#at + 1);
    } else if (key.ctrl && (key.name === 'g' || key.name === 'c')) {
      this.#finish(this.#savedLine);
    } else if (key.name === 'backspace') {
      this.#query = this.#query.slice(0, -1);
      this.#find(0);
    } else if (!key.ctrl && !key.meta && data.length === 1 && data >= ' ' && key.name !== 'return' && key.name !== 'enter') {
      this.#query += data;
      this.#find(Math.max(this.#at, 0));
    } else {
      // Enter, arrows, Tab...: keep the match as the line and let readline act on the key.
      this.#finish(this.#match());
      return false;
    }
    return true;
  }

  #match(): string {
    return this.#at >= 0 ? (this.#rl.history[this.#at] ?? '') : this.#savedLine;
  }

  /** The newest entry from `start` on that contains the query (the shown one stays if there is none). */
  #find(start: number): void {
    const history = this.#rl.history;
    for (let i = start; i < history.length; i++) {
      if (history[i]!.includes(this.#query)) {
        this.#at = i;
        break;
      }
    }
    this.#show();
  }

  #show(): void {
    const match = this.#match();
    const failed = this.#query !== '' && (this.#at < 0 || !match.includes(this.#query));
    this.#rl.setPrompt(`(${failed ? 'failed ' : ''}reverse-i-search)\`${this.#query}': `);
    this.#rl.line = match;
    this.#rl.cursor = Math.max(0, match.indexOf(this.#query));
    this.#rl._refreshLine();
  }

  #finish(line: string): void {
    this.#active = false;
    this.#rl.setPrompt(this.#savedPrompt);
    this.#rl.line = line;
    this.#rl.cursor = line.length;
    this.#rl._refreshLine();
  }
}
