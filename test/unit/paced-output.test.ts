// PacedOutput: lines written as the stream drains, in order, its backlog never past the stream's own high
// water mark; past its cap the queue gives up (dropped, write() false), also while it waits for a drain.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PacedOutput } from '../../src/server/paced-output.js';
import { waitUntil } from '../helpers/wait.js';

/** A stream that takes each write only when release() is called: a client that reads when it wants. */
function slowReader(): { stream: Writable; written: string[]; release(): void; maxBacklog: () => number } {
  const written: string[] = [];
  const waiting: (() => void)[] = [];
  let maxBacklog = 0;
  const stream = new Writable({
    highWaterMark: 10,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      waiting.push(() => {
        written.push(chunk);
        callback();
      });
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    const ok = write(chunk);
    maxBacklog = Math.max(maxBacklog, stream.writableLength);
    return ok;
  }) as Writable['write'];
  return { stream, written, release: () => waiting.splice(0).forEach((f) => f()), maxBacklog: () => maxBacklog };
}

describe('PacedOutput', () => {
  it('writes in order as the reader reads, one line past the high water mark at most', async () => {
    const r = slowReader();
    const paced = new PacedOutput(r.stream, 1000);
    const lines = Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`);
    for (const l of lines) expect(paced.write(l)).toBe(true);
    await waitUntil(() => {
      r.release();
      return r.written.length === lines.length;
    }, () => `written ${r.written.length}`);
    expect(r.written).toEqual(lines);
    expect(r.maxBacklog()).toBeLessThanOrEqual(10 + lines[0]!.length);
  });

  it('gives up past its cap, even while it waits for the reader, and then drops everything', async () => {
    const r = slowReader();
    const paced = new PacedOutput(r.stream, 30);
    expect(paced.write('0123456789\n')).toBe(true);
    await waitUntil(() => r.stream.writableNeedDrain, () => 'the first line in the stream, which now needs a drain');
    expect(paced.write('abcdefghij\n')).toBe(true); // waits in the queue
    expect(paced.write('klmnopqrst\n')).toBe(true);
    expect(paced.write('uvwxyz0123\n')).toBe(false); // over 30 queued
    expect(paced.overflowed).toBe(true);
    expect(paced.write('x\n')).toBe(false);
    // The reader comes back: what was queued was dropped, nothing breaks.
    r.release();
    await new Promise((resolve) => setImmediate(resolve));
    r.release();
    expect(r.written).toEqual(['0123456789\n']);
  });

  it('drops lines for a stream that is gone', () => {
    const r = slowReader();
    r.stream.destroy();
    expect(new PacedOutput(r.stream, 100).write('late\n')).toBe(false);
  });
});
