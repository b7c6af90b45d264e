// What profiles share: one recording at a time per session, a wait that ends early on abort with
// progress, and the file anode writes (never over an existing one).
import { access, open, unlink, type FileHandle } from 'node:fs/promises';
import { ProfileFileError, RecordingBusyError } from '../errors.js';
import { ignored } from '../log/debug.js';
import type { EvalSession } from '../session/session.js';

const busy = new WeakMap<EvalSession, string>();

/** Runs `task` as the session's only recording. */
export async function exclusiveRecording<T>(session: EvalSession, what: string, task: () => Promise<T>): Promise<T> {
  const running = busy.get(session);
  if (running) throw new RecordingBusyError(running);
  busy.set(session, what);
  try {
    return await task();
  } finally {
    busy.delete(session);
  }
}

/**
 * Waits `ms` (or until `signal` aborts, or the target ends), calling `progress(elapsed)` every
 * `everyMs`. Resolves with the milliseconds waited.
 */
export function waitRecording(
  ms: number,
  options: { signal?: AbortSignal | undefined; ended?: AbortSignal; progress?: ((elapsedMs: number) => void) | undefined; everyMs?: number },
): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const tick = options.progress ? setInterval(() => options.progress!(Date.now() - started), options.everyMs ?? 250) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      clearInterval(tick);
      options.signal?.removeEventListener('abort', done);
      options.ended?.removeEventListener('abort', done);
      resolve(Date.now() - started);
    };
    const timer = setTimeout(done, ms);
    options.signal?.addEventListener('abort', done, { once: true });
    options.ended?.addEventListener('abort', done, { once: true });
    if (options.signal?.aborted || options.ended?.aborted) done();
  });
}

/** Refuses a file that exists, before anything is recorded for it (the write refuses it again). */
export async function ensureAbsent(file: string): Promise<void> {
  try {
    await access(file);
  } catch {
    return;
  }
  throw new ProfileFileError(file, 'it exists already (anode never overwrites a file: give another name)');
}

/** Creates `file` for writing; refuses one that exists. */
export async function createNew(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ProfileFileError(file, 'it exists already (anode never overwrites a file: give another name)', err);
    throw new ProfileFileError(file, code ?? (err as Error).message, err);
  }
}

/**
 * A new file written piece by piece as a recording arrives (a snapshot's chunks): each piece after the one
 * before; finish() says how many bytes, discard() leaves nothing behind.
 */
export class RecordingFile {
  readonly path: string;
  readonly #handle: FileHandle;
  #writing: Promise<unknown> = Promise.resolve();
  #failed: unknown;
  #bytes = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Creates `file`; refuses one that exists. */
  static async create(file: string): Promise<RecordingFile> {
    return new RecordingFile(file, await createNew(file));
  }

  write(piece: string): void {
    this.#bytes += Buffer.byteLength(piece);
    this.#writing = this.#writing.then(() => this.#handle.write(piece)).catch((err: unknown) => (this.#failed ??= err));
  }

  /** Waits for every piece, closes the file, and resolves with its size (a failed write: removed, and thrown). */
  async finish(): Promise<number> {
    await this.#writing;
    if (this.#failed) {
      await this.discard();
      throw new ProfileFileError(this.path, (this.#failed as NodeJS.ErrnoException).code ?? (this.#failed as Error).message, this.#failed);
    }
    await this.#handle.close();
    return this.#bytes;
  }

  /** Closes and removes the file (a recording that failed leaves no half-written file). */
  async discard(): Promise<void> {
    await this.#writing;
    await this.#handle.close().catch((e: unknown) => ignored('close a failed recording file', e));
    await unlink(this.path).catch((e: unknown) => ignored('remove a failed recording file', e));
  }
}

/** A default file name: `anode-PID-20260102-030405.EXT` in the current directory. */
export function defaultFile(pid: number, ext: string): string {
  const t = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `anode-${pid}-${t.getFullYear()}${p(t.getMonth() + 1)}${p(t.getDate())}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}.${ext}`;
}
