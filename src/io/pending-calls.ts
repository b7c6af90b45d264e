// Calls that wait for a reply matched by id: the served protocol's requests, its questions to a client
// (ask), a raw CDP client's commands. Each call has a label (what it waits for, for errors and the debug
// log) and an optional timeout; closing rejects every waiting call, and every later one, with a fresh
// error each, so no caller waits forever and no two callers share one error object.
import { TimeoutError } from '../errors.js';

interface Call<T> {
  label: string;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

export class PendingCalls<T> {
  readonly #calls = new Map<number, Call<T>>();
  #nextId = 1;
  #closed: ((label: string) => Error) | undefined;

  /** Number of calls waiting. */
  get size(): number {
    return this.#calls.size;
  }

  /** The next id `add` will use without one given. */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * Registers a call waiting for the reply with `id` (a fresh id when not given); `timeoutMs` rejects it
   * with a TimeoutError naming `label`. Resolves with the reply given to `resolve`.
   */
  add(label: string, options: { id?: number; timeoutMs?: number | undefined; signal?: AbortSignal | undefined; onAbort?: () => Error } = {}): { id: number; reply: Promise<T> } {
    const id = options.id ?? this.nextId();
    if (this.#closed) return { id, reply: Promise.reject(this.#closed(label)) };
    const reply = new Promise<T>((resolve, reject) => {
      const call: Call<T> = { label, resolve, reject };
      if (options.timeoutMs !== undefined) {
        call.timer = setTimeout(() => this.reject(id, new TimeoutError(label, options.timeoutMs!)), options.timeoutMs);
        call.timer.unref?.();
      }
      this.#calls.set(id, call);
    });
    const { signal, onAbort } = options;
    if (signal) {
      // (Outside the executor: `reply` exists only once it has returned.)
      const abort = (): void => void this.reject(id, onAbort ? onAbort() : new Error(`${label}: aborted`));
      if (signal.aborted) abort();
      else {
        signal.addEventListener('abort', abort, { once: true });
        const off = (): void => signal.removeEventListener('abort', abort);
        void reply.then(off, off);
      }
    }
    return { id, reply };
  }

  /** True while a call waits for the reply with `id`. */
  has(id: number): boolean {
    return this.#calls.has(id);
  }

  /** The label of the call waiting for `id`. */
  label(id: number): string | undefined {
    return this.#calls.get(id)?.label;
  }

  /** Ids of the waiting calls whose label passes `test`. */
  ids(test: (label: string) => boolean = () => true): number[] {
    return [...this.#calls].filter(([, c]) => test(c.label)).map(([id]) => id);
  }

  /** Settles the call `id` with its reply; false when no call waits for it (late, or unknown). */
  resolve(id: number, value: T): boolean {
    const call = this.#take(id);
    call?.resolve(value);
    return call !== undefined;
  }

  /** Fails the call `id`; false when no call waits for it. */
  reject(id: number, err: Error): boolean {
    const call = this.#take(id);
    call?.reject(err);
    return call !== undefined;
  }

  /** Rejects every waiting call and every later one with `makeError(label)`, a fresh error each. */
  close(makeError: (label: string) => Error): void {
    this.#closed ??= makeError;
    for (const id of [...this.#calls.keys()]) this.reject(id, makeError(this.#calls.get(id)!.label));
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  #take(id: number): Call<T> | undefined {
    const call = this.#calls.get(id);
    if (!call) return undefined;
    this.#calls.delete(id);
    if (call.timer) clearTimeout(call.timer);
    return call;
  }
}
