// Persistent console history: one entry per line in ~/.anode_repl_history (ANODE_REPL_HISTORY moves it,
// an empty value turns it off), mode 0600 because entries can hold secrets, bounded in size. A multi-line
// entry is stored on one line with its newlines as \r, and comes back whole.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { anodeVariable } from '../anode-env.js';
import { ignored } from '../log/debug.js';

export const HISTORY_SIZE = 1000;

/** The history file to use, or undefined when history is off. */
export function historyPath(env?: NodeJS.ProcessEnv): string | undefined {
  const configured = env ? env.ANODE_REPL_HISTORY : anodeVariable('ANODE_REPL_HISTORY');
  if (configured !== undefined) return configured.trim() === '' ? undefined : path.resolve(configured);
  return path.join(homedir(), '.anode_repl_history');
}

/** Reads and appends entries; writes are serialized and never fail the console. */
export class HistoryFile {
  readonly file: string;
  #entries: string[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** Loads the file; returns entries newest first (readline's order). */
  async load(): Promise<string[]> {
    const text = await readFile(this.file, 'utf8').catch((err: unknown) => {
      ignored(`reading the history file ${this.file} (none yet?)`, err);
      return '';
    });
    this.#entries = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/\r/g, '\n'))
      .slice(-HISTORY_SIZE);
    return [...this.#entries].reverse();
  }

  /** Records an entry (skipping a repeat of the previous one) and saves the file. */
  add(entry: string): Promise<void> {
    if (entry.trim() === '' || this.#entries.at(-1) === entry) return this.#writing;
    this.#entries.push(entry);
    if (this.#entries.length > HISTORY_SIZE) this.#entries.splice(0, this.#entries.length - HISTORY_SIZE);
    const text = `${this.#entries.map((e) => e.replace(/\n/g, '\r')).join('\n')}\n`;
    this.#writing = this.#writing
      .then(async () => {
        await writeFile(this.file, text, { mode: 0o600 });
        await chmod(this.file, 0o600);
      })
      .catch((err: unknown) => ignored(`writing the history file ${this.file}`, err));
    return this.#writing;
  }
}
