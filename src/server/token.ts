// The optional shared secret of a served console: asked for as the client's first line and compared in
// constant time (hashes of equal length, crypto.timingSafeEqual), before anything else is read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { readLine } from '../io/read-line.js';

/** The prompt a client answers with its token. */
export const TOKEN_PROMPT = 'token: ';

/** True when `given` equals `expected`, in time independent of where they differ. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Reads the client's first line (its token); undefined if it leaves first. */
export function readFirstLine(input: Readable, signal: AbortSignal): Promise<string | undefined> {
  return readLine(input, signal);
}

/** Options of a TokenThrottle (milliseconds). */
export interface ThrottleOptions {
  /** Delay after the first wrong token from an address; it doubles with each further one. */
  firstDelayMs?: number;
  /** The longest delay. */
  maxDelayMs?: number;
  /** An address with no wrong token for this long starts afresh (and its burst is summed up in the log). */
  forgetMs?: number;
  log: (message: string) => void;
}

interface AddressRecord {
  failures: number;
  /** No verdict for this address before this time (performance.now()). */
  nextAt: number;
  /** Verdicts for this address, one after the other. */
  queue: Promise<unknown>;
  burst: number;
  burstStart: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Slows down token guessing, the way sshd's MaxStartups/LoginGraceTime and fail2ban do: after a wrong
 * token from an address, every verdict for that address (right or wrong: an attacker must not learn from
 * the delay) waits a delay that doubles with each further wrong token, up to `maxDelayMs`. Verdicts of one
 * address are given one at a time, so parallel connections do not multiply the rate. Logged once when a
 * burst starts and once when it ends, never once per guess.
 */
export class TokenThrottle {
  readonly #records = new Map<string, AddressRecord>();
  readonly #first: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #log: (message: string) => void;

  constructor(options: ThrottleOptions) {
    this.#first = options.firstDelayMs ?? 250;
    this.#max = options.maxDelayMs ?? 8000;
    this.#forget = options.forgetMs ?? 60_000;
    this.#log = options.log;
  }

  /** Wrong tokens from `address` in its current burst. */
  failures(address: string): number {
    return this.#records.get(address)?.failures ?? 0;
  }

  /**
   * Judges `given` against `expected` for a client from `address` (`remote` names it in the log), after the
   * address's delay; resolves with the verdict, or undefined if `signal` aborted meanwhile.
   */
  judge(address: string, remote: string, given: string, expected: string, signal: AbortSignal): Promise<boolean | undefined> {
    const record = this.#records.get(address) ?? this.#fresh(address);
    const verdict = record.queue.then(async () => {
      const wait = record.nextAt - performance.now();
      if (wait > 0 && !(await sleepUnless(wait, signal))) return undefined;
      if (signal.aborted) return undefined;
      const ok = tokenMatches(given, expected);
      if (!ok) this.#failed(address, record, remote);
      return ok;
    });
    record.queue = verdict.catch(() => undefined); // the next check only waits its turn; the verdict is returned
    return verdict;
  }

  /** Stops its timers, logging what bursts are under way. */
  close(): void {
    for (const [address, record] of this.#records) this.#endBurst(address, record);
    this.#records.clear();
  }

  #fresh(address: string): AddressRecord {
    const record: AddressRecord = { failures: 0, nextAt: 0, queue: Promise.resolve(), burst: 0, burstStart: 0, timer: undefined };
    this.#records.set(address, record);
    return record;
  }

  #failed(address: string, record: AddressRecord, remote: string): void {
    record.failures += 1;
    const delay = Math.min(this.#max, this.#first * 2 ** (record.failures - 1));
    record.nextAt = performance.now() + delay;
    if (record.burst === 0) {
      record.burstStart = Date.now();
      this.#log(`refused client ${remote}: wrong token; further tries from ${address} are slowed down (a growing delay) and counted`);
    }
    record.burst += 1;
    clearTimeout(record.timer);
    record.timer = setTimeout(() => {
      this.#endBurst(address, record);
      this.#records.delete(address);
    }, this.#forget);
    record.timer.unref();
  }

  #endBurst(address: string, record: AddressRecord): void {
    clearTimeout(record.timer);
    if (record.burst > 1) {
      const seconds = Math.max(1, Math.round((Date.now() - record.burstStart) / 1000));
      this.#log(`${record.burst} wrong tokens from ${address} in ${seconds} s (delay reached ${Math.min(this.#max, this.#first * 2 ** (record.failures - 1))} ms)`);
    }
    record.burst = 0;
  }
}

/** Waits `ms`; false if `signal` aborts first. */
function sleepUnless(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
