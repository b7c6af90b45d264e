// The optional shared secret of a served console: asked for as the client's first line and compared in
// constant time (hashes of equal length, crypto.timingSafeEqual), before anything else is read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The prompt a client answers with its token. */
export const TOKEN_PROMPT = 'token: ';

/** True when `given` equals `expected`, in time independent of where they differ. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Reads one line from `input` (a stream of whole lines, see line-limit.ts), puts back what follows it, and
 * leaves the stream paused for its next reader. Resolves undefined if the input ends or `signal` aborts.
 */
export function readFirstLine(input: Readable, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (line: string | undefined): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      signal.removeEventListener('abort', onEnd);
      resolve(line);
    };
    const onData = (chunk: Buffer): void => {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        text += chunk.toString('utf8');
        return;
      }
      input.pause();
      const rest = chunk.subarray(nl + 1);
      if (rest.length > 0) input.unshift(rest);
      finish((text + chunk.subarray(0, nl).toString('utf8')).replace(/\r$/, ''));
    };
    const onEnd = (): void => finish(undefined);
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', onEnd, { once: true });
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('close', onEnd);
  });
}
