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
