// The inspector's own lines leave the program's stderr; every other byte passes, at once.
import { describe, expect, it } from 'vitest';
import { InspectorLineFilter } from '../../src/program/stderr-filter.js';

async function filter(chunks: (string | Buffer)[]): Promise<Buffer> {
  const f = new InspectorLineFilter();
  const out: Buffer[] = [];
  f.on('data', (d: Buffer) => out.push(d));
  for (const c of chunks) f.write(typeof c === 'string' ? Buffer.from(c) : c);
  f.end();
  await new Promise((r) => f.on('end', r));
  return Buffer.concat(out);
}

describe('InspectorLineFilter', () => {
  it('drops the inspector lines, even split across chunks', async () => {
    const out = await filter([
      'a\nDebugger listening on ws://127.0.0.1:1/x\nFor help, see: https://nodejs.org/en/docs/inspector\n',
      'Debugger att',
      'ached.\nb\nWaiting for the debugger to disconnect...\n',
    ]);
    expect(out.toString()).toBe('a\nb\n');
  });

  it('keeps lines that only look alike, and binary bytes', async () => {
    const bin = Buffer.from([0, 0xff, 0x80, 0x0a]);
    const out = await filter(['Debugger attached. not really\n', bin, 'x Debugger attached.\n']);
    expect(out).toEqual(Buffer.concat([Buffer.from('Debugger attached. not really\n'), bin, Buffer.from('x Debugger attached.\n')]));
  });

  it('passes a partial line on at once unless it may become an inspector line', async () => {
    const f = new InspectorLineFilter();
    const seen: string[] = [];
    f.on('data', (d: Buffer) => seen.push(d.toString()));
    f.write(Buffer.from('progress 10%'));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['progress 10%']);
    f.write(Buffer.from('\nDebug'));
    await new Promise((r) => setImmediate(r));
    expect(seen.join('')).toBe('progress 10%\n');
    f.end(Buffer.from('ger ending soon\n'));
    await new Promise((r) => f.on('end', r));
    expect(seen.join('')).toBe('progress 10%\nDebugger ending soon\n');
  });
});
