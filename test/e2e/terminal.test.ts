// The console in a real pseudo-terminal: Ctrl-C interrupts without hurting the program, clears a line,
// says how to leave; Ctrl-D ends; the program never receives the terminal's SIGINT.
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

/** Sends one line to the echo server and resolves with its answer. */
function echo(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(`${message}\n`));
    c.setEncoding('utf8');
    c.on('data', (d: string) => (answer += d));
    c.on('close', () => resolve(answer.trim()));
    c.on('error', reject);
  });
}

async function startEcho() {
  const a = startAnodePty(['run', path.join(FIXTURES, 'echo.js'), '0']);
  const port = Number((await a.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
  // The console is up (its first prompt, after the banner) before anything is typed.
  await a.waitFor(/Ctrl\+C interrupts, \.help for more\.[\s\S]*> $/);
  // The program's ready line may land after the first prompt: an empty entry draws a fresh one.
  const from = a.text().length;
  a.write(KEY.enter);
  await a.waitForPrompt(from);
  return { a, port };
}

describe('anode run in a terminal', () => {
  it('Ctrl-C interrupts a synchronous while(true) and the program keeps serving', async () => {
    const { a, port } = await startEcho();
    // The program's stdout is the terminal: the marker shows the loop has begun.
    a.write(`console.log('spin' + 'ning'); while (true) {}${KEY.enter}`);
    await a.waitFor('spinning');
    const from = a.text().length;
    a.write(KEY.ctrlC);
    await a.waitFor('Interrupted: the evaluation was stopped', { from });
    await a.waitForPrompt(from);
    expect(await echo(port, 'after loop')).toBe('after loop');
    const at = a.text().length;
    a.write(`[...main.history.values()].flat()${KEY.enter}`);
    await a.waitFor("[ 'after loop' ]", { from: at });
  });

  it('Ctrl-C abandons a pending await; timers and sockets of the program go on', async () => {
    const { a, port } = await startEcho();
    a.write(`await new Promise(() => {})${KEY.enter}`);
    expect(await echo(port, 'while waiting')).toBe('while waiting');
    const from = a.text().length;
    a.write(KEY.ctrlC);
    await a.waitFor('Interrupted: stopped waiting', { from });
    await a.waitForPrompt(from);
    const at = a.text().length;
    a.write(`await new Promise((r) => setTimeout(r, 20, 'timers fine'))${KEY.enter}`);
    await a.waitFor("'timers fine'", { from: at });
    expect(await echo(port, 'still')).toBe('still');
  });

  it('Ctrl-C clears a half-typed line, then says how to leave; the program never gets SIGINT', async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    a.write('123456');
    await a.waitFor('> 123456');
    let from = a.text().length;
    a.write(KEY.ctrlC);
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`7 * 6${KEY.enter}`);
    await a.waitFor(/^7 \* 6\n42\n> $/m, { from });
    from = a.text().length;
    a.write(KEY.ctrlC);
    await a.waitFor('(To exit, press Ctrl+C again or Ctrl+D or type .exit)', { from });
    expect(a.text()).not.toContain('program got SIGINT');
  });

  it('Ctrl-D ends the console and the program; anode exits 0', async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    const pid = Number((await a.waitFor(/\(pid (\d+),/))[1]);
    a.write(KEY.ctrlD);
    expect((await a.exited).exitCode).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('arrow up recalls the previous entry; results are coloured on a colour terminal', async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    a.write(`20 + 1${KEY.enter}`);
    await a.waitFor(/\n21\n/);
    const from = a.text().length;
    a.write(`${KEY.up}${KEY.enter}`);
    await a.waitFor(/20 \+ 1\n21\n/, { from });
    expect(a.raw()).toContain('\x1b[33m21\x1b[39m');
  });

  it('--no-color and NO_COLOR print results without escapes', async () => {
    for (const [args, env] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const a = startAnodePty(['run', ...args, path.join(TEST_FIXTURES, 'controlled.js')], { env });
      await a.waitForPrompt();
      a.write(`20 + 1${KEY.enter}`);
      await a.waitFor(/\n21\n/);
      expect(a.raw()).not.toContain('\x1b[33m21');
      a.kill();
    }
  });
});
