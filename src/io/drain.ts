// Back-pressure on a writable stream: wait until what was written has drained (or the stream is gone).
import type { Writable } from 'node:stream';

/** Resolves once `stream` no longer needs to drain, or has closed. */
export function whenDrained(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Writes `text` (unless the stream has ended) and resolves once it has drained. */
export function writeDrained(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  stream.write(text);
  return whenDrained(stream);
}
