// The program's stderr passes through `anode run` exactly, on every Node line: the inspector's own lines
// (start-up, attach, exit) are hidden, and the program's look-alikes of every one of them, a 16 MiB line
// that begins like one, and the inspector's exit line written by the program as its last line all pass,
// whole and in order. The console is served (on a unix socket) so anode's stderr holds only the program's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { connectClient } from '../helpers/client.js';
import { NODE_LINES, nodeBinary } from '../helpers/node-versions.js';
import { TEST_FIXTURES } from '../helpers/paths.js';

const fixture = path.join(TEST_FIXTURES, 'stderr-lookalikes.cjs');
const INSPECTOR = /Debugger listening|For help, see|Debugger attached|Waiting for the debugger|Debugger ending/;

describe.each(NODE_LINES)('Node $line', (entry) => {
  it('stderr: every byte of the program, none of the inspector', { timeout: 120_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    const dir = mkdtempSync(path.join(tmpdir(), 'anode-stderr-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const a = startAnode(['run', '--serve', `unix:${path.join(dir, 's')}`, '--node', bin, fixture]);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const c = await connectClient(address);
    await c.waitFor(/\n> $/);
    const expected = (await c.evaluate('payload().length')).trim();
    const from = a.stderr.length;
    c.send('emit()');
    await a.waitFor('END\n', { from, timeoutMs: 60_000 });
    c.send('finish()');
    expect((await a.exited).code).toBe(0);
    c.destroy();
    // Before the program wrote anything: none of the inspector's start-up or attach lines.
    expect(a.stderr.slice(0, a.stderr.indexOf('BEGIN\n'))).not.toMatch(INSPECTOR);
    // The program's bytes, exactly, then its own exit line; after them only anode's (no inspector's exit line).
    const program = a.stderr.slice(a.stderr.indexOf('BEGIN\n'), a.stderr.indexOf('END\n') + 4);
    expect(program.length).toBe(Number(expected));
    expect(program.split('\n').filter((l) => l.startsWith('Debugger listening')).length).toBe(3);
    const tail = a.stderr.slice(a.stderr.indexOf('END\n') + 4).replace(/^(anode|The console)[^\n]*\n/gm, '');
    expect(tail).toBe('Waiting for the debugger to disconnect...\n');
  });
});
