// anode's stdout closed by its reader before anode writes (`anode --help | head -0`, a pager quit at
// once) ends anode quietly: no stack, no internal error. Without a listener on its stdout, the EPIPE of
// that write is an uncaught exception, which prints a stack: this test then fails.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ANODE_BIN } from '../helpers/paths.js';

describe('a reader that leaves early', () => {
  it.each([['--help'], ['ps'], ['attach', '--help']])('anode %s with its stdout already closed ends without a stack', async (...args) => {
    const child = spawn(process.execPath, [ANODE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before anode has started: its first write meets a pipe with no reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr, stderr).not.toMatch(/\n\s+at |internal error|Error:/);
    expect(code).toBe(0);
  });
});
