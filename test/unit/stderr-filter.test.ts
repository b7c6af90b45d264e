// The inspector's own lines leave the program's stderr only at the moments the inspector prints them;
// every other byte passes, at once, look-alike lines and 16 MiB lines included.
import { describe, expect, it } from 'vitest';
import { InspectorLineFilter } from '../../src/program/stderr-filter.js';

const LISTENING = 'Debugger listening on ws://127.0.0.1:1/x\n';
const HELP_20 = 'For help, see: https://nodejs.org/en/docs/inspector\n';
const HELP_22 = 'For help, see: https://nodejs.org/learn/getting-started/debugging\n';
const ATTACHED = 'Debugger attached.\n';
const WAITING = 'Waiting for the debugger to disconnect...\n';
const ENDING = 'Debugger ending on ws://127.0.0.1:1/x\n';

async function filter(chunks: (string | Buffer | ((f: InspectorLineFilter) => void))[]): Promise<Buffer> {
  const f = new InspectorLineFilter();
  const out: Buffer[] = [];
  f.on('data', (d: Buffer) => out.push(d));
  for (const c of chunks) {
    if (typeof c === 'function') c(f);
    else f.write(typeof c === 'string' ? Buffer.from(c) : c);
  }
  f.end();
  await new Promise((r) => f.on('end', r));
  return Buffer.concat(out);
}

describe('InspectorLineFilter', () => {
  it('drops the start-up, attach and exit lines at their moments, even split across chunks (Node 20 and 22 texts)', async () => {
    for (const help of [HELP_20, HELP_22]) {
      const out = await filter([
        LISTENING.slice(0, 10),
        LISTENING.slice(10) + help.slice(0, 5),
        help.slice(5),
        (f) => f.expect('attach', 2),
        'a\nDebugger att',
        'ached.\nb\n',
        ATTACHED,
        WAITING,
      ]);
      expect(out.toString()).toBe('a\nb\n');
    }
  });

  it('passes look-alike lines the program prints at any other moment', async () => {
    // (The exit lines: see the cases below, they depend on whether the program goes on running.)
    const lines = [LISTENING, HELP_20, HELP_22, ATTACHED];
    const program = `own line\n${lines.join('')}last\n`;
    expect((await filter([program])).toString()).toBe(program);
    // Armed for one attach: a second `Debugger attached.` is the program's.
    const out = await filter([(f) => f.expect('attach'), 'x\n', ATTACHED, ATTACHED]);
    expect(out.toString()).toBe(`x\n${ATTACHED}`);
    // At the program's exit the exit line is the inspector's, even with a crash report after it.
    expect((await filter(['x\n', WAITING, 'report\n', (f) => f.programExited(), 'tail\n'])).toString()).toBe('x\nreport\ntail\n');
    // The program's own exit line as its last, then the inspector's: only the second is dropped.
    expect((await filter(['x\n', WAITING, WAITING])).toString()).toBe(`x\n${WAITING}`);
  });

  it("drops the inspector's `Debugger ending` pair printed at exit when the last connection closes first", async () => {
    // Node prints `Debugger ending on …` and its `For help, see: …` when the last session ends while the
    // inspector still listens: at exit, that happens when the debugger leaves before the inspector stops.
    for (const help of [HELP_20, HELP_22]) {
      expect((await filter(['x\n', WAITING, ENDING, help, (f) => f.programExited()])).toString()).toBe('x\n');
      // The pair's lines may come after the exit is known, in their own chunks.
      expect((await filter(['x\n', WAITING, (f) => f.programExited(), ENDING, help])).toString()).toBe('x\n');
    }
    // Positive controls: a `For help` line that does not follow an ending line is the program's, at exit too.
    expect((await filter(['x\n', WAITING, HELP_20, (f) => f.programExited()])).toString()).toBe(`x\n${HELP_20}`);
    expect((await filter(['x\n', ENDING, 'y\n', HELP_20, (f) => f.programExited()])).toString()).toBe(`x\ny\n${HELP_20}`);
  });

  it('an exit look-alike of a program that keeps running passes, in order, with what followed it', async () => {
    const f = new InspectorLineFilter();
    const seen: string[] = [];
    f.on('data', (d: Buffer) => seen.push(d.toString()));
    f.write(Buffer.from(`x\n${WAITING}y\n`));
    await new Promise<void>((resolve) => {
      const poll = (): void => (seen.join('').includes('y\n') ? resolve() : void setTimeout(poll, 20));
      poll();
    });
    expect(seen.join('')).toBe(`x\n${WAITING}y\n`);
    f.end();
  });

  it('keeps lines that only begin alike, CRLF, and binary bytes', async () => {
    const bin = Buffer.from([0, 0xff, 0x80, 0x0a]);
    const out = await filter([(f) => f.expect('attach'), 'Debugger attached. not really\n', bin, 'x Debugger attached.\r\n']);
    expect(out).toEqual(Buffer.concat([Buffer.from('Debugger attached. not really\n'), bin, Buffer.from('x Debugger attached.\r\n')]));
  });

  it('passes a partial line on at once unless it may become an expected inspector line', async () => {
    const f = new InspectorLineFilter();
    f.expect('attach');
    const seen: string[] = [];
    f.on('data', (d: Buffer) => seen.push(d.toString()));
    f.write(Buffer.from('progress 10%'));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['progress 10%']);
    f.write(Buffer.from('\nDebug'));
    await new Promise((r) => setImmediate(r));
    expect(seen.join('')).toBe('progress 10%\n');
    f.end(Buffer.from('ger attached soon\n'));
    await new Promise((r) => f.on('end', r));
    expect(seen.join('')).toBe('progress 10%\nDebugger attached soon\n');
  });

  it('passes 16 MiB lines that begin like inspector lines, whole and in order', async () => {
    const size = 16 * 1024 * 1024;
    const long = (head: string): string => `${head}${'x'.repeat(size - head.length - 1)}\n`;
    const a = long('Debugger listening on ws://');
    const b = long('Waiting for the debugger to disconnect...');
    // In 64 KiB pieces, as a pipe delivers them.
    const bytes = Buffer.from(a + b + 'end\n');
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) pieces.push(bytes.subarray(i, i + 65536));
    const out = await filter(pieces);
    expect(out.length).toBe(bytes.length);
    expect(out.equals(bytes)).toBe(true);
  });
});
