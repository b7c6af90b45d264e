// The rest of the audit (SECURITY.md, "Attacks tried"): a program's escape codes mirrored to served clients,
// NODE_OPTIONS=--inspect handed to anode (an inspector into anode itself), and ANODE_* variables left in
// the environment (inherited silently by the program and by nested anodes).
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processTable } from '../../src/program/process-table.js';

const ownListening = (pid: number) => processTable().listening(pid);
import { startAnode } from '../helpers/anode.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { killPid } from '../helpers/processes.js';
import { waitUntil } from '../helpers/wait.js';

const sockets: LineClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

describe('attack: a program writes terminal escapes while clients mirror its console', () => {
  it('a plain served client gets them made visible (cat -v), never raw', async () => {
    const a = startAnode(['run', '--serve', '0', `${TEST_FIXTURES}escapes.js`]);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const c = await connectClient(address);
    sockets.push(c);
    await c.waitFor(/\n> $/);
    expect(await c.evaluate('.console on')).toContain("The program's console output is shown here.");
    await c.evaluate('globalThis.noisy = true');
    await c.waitFor('[program] ^[[31mred^[[0m ^[[2J^[]0;owned^G nul^@ del^? end');
    expect(c.text).not.toMatch(/[\x00\x07\x1b\x7f]/);
    // Positive control: the program really wrote the raw bytes (its stdout is anode's, untouched).
    await a.waitFor('\x1b[31mred\x1b[0m \x1b[2J\x1b]0;owned\x07 nul\x00 del\x7f end', { stream: 'stdout' });
    process.kill(a.pid, 'SIGTERM');
    await a.exited;
  });
});

describe('attack: NODE_OPTIONS=--inspect given to anode', () => {
  it("anode closes the inspector node opened in itself, says so, and the program's NODE_OPTIONS loses the flag", async () => {
    const options = '--inspect=127.0.0.1:0 --max-old-space-size=300';
    // Positive control: a plain node given the same NODE_OPTIONS does listen.
    const plain = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { ...process.env, NODE_OPTIONS: options }, stdio: 'ignore' });
    try {
      await waitUntil(async () => (await ownListening(plain.pid!).catch(() => [])).length > 0, () => 'plain node never listened');
    } finally {
      killPid(plain.pid!);
    }
    const a = startAnode(['run', 'fixtures/echo.js', '0'], { env: { NODE_OPTIONS: options } });
    await a.waitForPrompt();
    expect(a.stderr).toContain('anode: NODE_OPTIONS asked for an inspector (--inspect=127.0.0.1:0): anode closed the one node opened in anode itself');
    expect(await ownListening(a.pid)).toEqual([]);
    expect(await a.evaluate('process.env.NODE_OPTIONS')).toBe("'--max-old-space-size=300'");
    // The program has its own private inspector only (its echo port and that one).
    await a.waitFor(/served on 127\.0\.0\.1:\d+/, { stream: 'stdout' });
    const pid = await a.programPid();
    expect((await ownListening(pid)).length).toBe(2);
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});

describe('attack: ANODE_* variables left in the environment', () => {
  it('are not inherited by the program (nor by an anode it starts), and preload ones are ignored, said so', async () => {
    const a = startAnode(['run', 'fixtures/echo.js', '0'], {
      env: { ANODE_WAIT: '1', ANODE_KEEPALIVE: '1', ANODE_TOKEN: 'secret-of-anode', ANODE_REPL_HISTORY: '' },
    });
    // ANODE_WAIT would hold the program before its first line: it runs, and serves.
    await a.waitFor(/served on 127\.0\.0\.1:\d+/, { stream: 'stdout' });
    await a.waitForPrompt();
    expect(a.stderr).toContain('anode: ignored ANODE_WAIT, ANODE_KEEPALIVE from the environment');
    expect(await a.evaluate("Object.keys(process.env).filter((k) => k.startsWith('ANODE_'))")).toBe('[]');
    // A nested anode started by the program sees none either (it inherits the program's environment).
    const nested = await a.evaluate(
      `require('node:child_process').execFileSync(process.execPath, ['-e', "console.log(Object.keys(process.env).filter((k) => k.startsWith('ANODE_')).join(',') || 'none')"], { encoding: 'utf8' }).trim()`,
    );
    expect(nested).toBe("'none'");
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});
