// Reading exactly one line from any Readable without consuming what follows it: the rest is put back
// (unshift) and the stream is left paused for its next reader. Used by ainput and the token prompt.
import type { Readable } from 'node:stream';

/** Resolves with the next line (without its newline), or undefined at end of input or on abort. */
export function readLine(input: Readable, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const finish = (line: string | undefined): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      signal?.removeEventListener('abort', onEnd);
      input.pause();
      resolve(line);
    };
    const onData = (data: Buffer | string): void => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        parts.push(chunk);
        return;
      }
      parts.push(chunk.subarray(0, nl));
      const rest = chunk.subarray(nl + 1);
      input.pause();
      if (rest.length > 0) input.unshift(typeof data === 'string' ? rest.toString() : rest);
      finish(Buffer.concat(parts).toString('utf8').replace(/\r$/, ''));
    };
    const onEnd = (): void => finish(undefined);
    if (signal?.aborted || input.readableEnded || input.destroyed) return resolve(undefined);
    signal?.addEventListener('abort', onEnd, { once: true });
    input.once('end', onEnd);
    input.once('close', onEnd);
    input.on('data', onData);
    input.resume();
  });
}
