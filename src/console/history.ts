// Persistent console history: one entry per line in ~/.anode_repl_history (ANODE_REPL_HISTORY moves it,
// an empty value turns it off), mode 0600 because entries can hold secrets, bounded in size. A multi-line
// entry is stored on one line with its newlines as \r, and comes back whole.
// Several anodes may share the file: each write merges what is on disk with this console's new entries
// (as shells and Node's REPL do) under a lock file, and replaces the file by renaming a complete
// temporary copy over it, so a full disk or a crash never truncates the history that was there.
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { anodeVariable } from '../anode-env.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ignored } from '../log/debug.js';

export const HISTORY_SIZE = 1000;
/** How long a writer waits for another's lock, and when a lock is taken as left behind by a crash. */
const LOCK_WAIT_MS = 2000;
const STALE_LOCK_MS = 10_000;

/** The history file to use, or undefined when history is off. */
export function historyPath(env?: NodeJS.ProcessEnv): string | undefined {
  const configured = env ? env.ANODE_REPL_HISTORY : anodeVariable('ANODE_REPL_HISTORY');
  if (configured !== undefined) return configured.trim() === '' ? undefined : path.resolve(configured);
  return path.join(homedir(), '.anode_repl_history');
}

const decode = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\r/g, '\n'));
const encode = (entries: string[]): string => (entries.length === 0 ? '' : `${entries.map((e) => e.replace(/\n/g, '\r')).join('\n')}\n`);

/** Reads and appends entries; writes are serialized, merged with other writers', and never fail the console. */
export class HistoryFile {
  readonly file: string;
  #last: string | undefined;
  /** Entries of this console not yet written. */
  #unsaved: string[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** Loads the file; returns entries newest first (readline's order). */
  async load(): Promise<string[]> {
    const entries = decode(await readFile(this.file, 'utf8').catch((err: unknown) => {
      ignored(`reading the history file ${this.file} (none yet?)`, err);
      return '';
    })).slice(-HISTORY_SIZE);
    this.#last = entries.at(-1);
    return entries.reverse();
  }

  /** Records an entry (skipping a repeat of the previous one) and saves the file. */
  add(entry: string): Promise<void> {
    if (entry.trim() === '' || this.#last === entry) return this.#writing;
    this.#last = entry;
    this.#unsaved.push(entry);
    this.#writing = this.#writing.then(() => this.#save()).catch((err: unknown) => ignored('saving the console history', err));
    return this.#writing;
  }

  async #save(): Promise<void> {
    if (this.#unsaved.length === 0) return;
    // Entries added while this write runs wait for the next one (clearing them after it would lose them).
    const batch = this.#unsaved;
    this.#unsaved = [];
    let written = false;
    const release = await this.#lock();
    try {
      const onDisk = decode(await readFile(this.file, 'utf8').catch(() => ''));
      const merged = [...onDisk];
      for (const e of batch) if (merged.at(-1) !== e) merged.push(e);
      const kept = merged.slice(-HISTORY_SIZE);
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, encode(kept), { mode: 0o600, flush: true });
        await chmod(temp, 0o600);
        await rename(temp, this.file);
        written = true;
      } catch (err) {
        await rm(temp, { force: true }).catch((e: unknown) => ignored('removing a history temp file', e));
        throw err;
      }
    } finally {
      // A write that failed keeps its entries for the next one.
      if (!written) this.#unsaved = [...batch, ...this.#unsaved];
      await release();
    }
  }

  /** Takes the lock file (O_EXCL), waiting for another writer, or taking over one left behind. */
  async #lock(): Promise<() => Promise<void>> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        const handle = await open(lock, 'wx', 0o600);
        await handle.close();
        return () => rm(lock, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > STALE_LOCK_MS || Date.now() > deadline) await rm(lock, { force: true });
        else await sleep(delay);
      }
    }
  }
}
