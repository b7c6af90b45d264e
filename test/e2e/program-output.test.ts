// Mirroring the program's console output (--console, .console on|off) without wrecking the typed line.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { startTarget } from '../helpers/target.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const program = path.join(TEST_FIXTURES, 'controlled.js');

describe("the program's console output in the console", () => {
  it('--console mirrors console.* calls, marked, formatted like the program, none replayed', async () => {
    const a = startAnode(['run', '--console', program], { env: { CONTROLLED_QUIET: '' } });
    // The program's start-up lines and the first prompt come in either order.
    await Promise.all([a.waitFor('controlled stderr line\n'), a.waitFor(/(^|\n)> /), a.waitFor('controlled ready', { stream: 'stdout' })]);
    // Piped, the program's own stderr shares anode's: its copy of the error line, the mirrored lines and
    // the result come in any order.
    const from = a.stderr.length;
    a.send("console.log('hello %s', 'there', { n: 1 }); console.error(new Map([[1, 2]]))");
    await Promise.all([
      a.waitFor('[program] hello there { n: 1 }', { from }),
      a.waitFor('[program!] Map(1) { 1 => 2 }', { from }),
      a.waitFor(/(^|\n|> )Map\(1\) \{ 1 => 2 \}\n/, { from }),
      a.waitFor(/(^|\n|> )undefined\n/, { from }),
    ]);
    expect(a.stderr).not.toContain('[program] controlled ready');
    expect(await a.evaluate('.console off')).toMatch(/no longer shown/);
    const before = a.stderr.length;
    expect(await a.evaluate("console.log('quiet'); 1")).toBe('1');
    expect(a.stderr.slice(before)).not.toContain('quiet');
    expect(a.stdout).toContain('quiet\n');
  });

  it('output arriving while a line is half typed leaves the line intact', async () => {
    const a = startAnodePty(['run', program]);
    await a.waitForPrompt();
    a.write(`.console on${KEY.enter}`);
    await a.waitFor('is shown here');
    a.write(`globalThis.action = 'chatter'${KEY.enter}`);
    const from = a.text().length;
    a.write('6 * ');
    await a.waitFor(/\[program\] chatter \{ tick: \d+ \}\n> 6 \* $/, { from });
    await a.waitFor(/\[program\] chatter[\s\S]*\[program\] chatter \{ tick: \d+ \}\n> 6 \* $/, { from });
    // The program's own stdout is this terminal too, so its lines may land anywhere on the screen; what
    // counts is the entry readline hands over: only `6 * 7` gives 42.
    const typed = a.text().length;
    a.write(`7${KEY.enter}`);
    await a.waitFor(/\n42\n/, { from: typed });
  });

  it('anode attach mirrors by default (the program\'s stdout is elsewhere); --no-console turns it off', async () => {
    const target = startTarget(['--inspect-port=0', program]);
    await target.waitFor('controlled ready');
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    await a.evaluate("globalThis.action = 'chatter'");
    await a.waitFor(/\[program\] chatter \{ tick: \d+ \}/);
    a.end();
    expect((await a.exited).code).toBe(0);
    const quiet = startAnode(['attach', '--no-console', String(target.pid)]);
    await quiet.waitForPrompt();
    await target.waitFor(/chatter[\s\S]*chatter[\s\S]*chatter/);
    expect(await quiet.evaluate('1')).toBe('1');
    expect(quiet.stderr).not.toContain('[program]');
  });
});
