// Mirroring the program's console output (--console, .console on|off) without wrecking the typed line.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { startTarget } from '../helpers/target.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const program = path.join(TEST_FIXTURES, 'controlled.js');

describe("the program's console output in the console", () => {
  it('--console mirrors console.* calls, marked, formatted like the program', async () => {
    const a = startAnode(['run', '--console', program]);
    await a.waitForPrompt();
    // Piped, the program's own stderr is the pipe the console writes to: its error line is shown there
    // already and is not mirrored again; its stdout is another pipe, mirrored and marked. They and the
    // result come in any order.
    const from = a.stderr.length;
    a.send("console.log('hello %s', 'there', { n: 1 }); console.error(new Map([[1, 2]]))");
    await Promise.all([
      a.waitFor('[program] hello there { n: 1 }', { from }),
      a.waitFor(/(^|\n|> )Map\(1\) \{ 1 => 2 \}\n/, { from }),
      a.waitFor(/(^|\n|> )undefined\n/, { from }),
    ]);
    await a.waitForPrompt();
    expect(a.stderr.slice(from)).not.toContain('[program!]');
    expect(await a.evaluate('.console off')).toMatch(/no longer shown/);
    const before = a.stderr.length;
    expect(await a.evaluate("console.log('quiet'); 1")).toBe('1');
    // The program's own stdout is another pipe: its line may come after the console's result.
    await a.waitFor('quiet\n', { stream: 'stdout' });
    expect(a.stderr.slice(before)).not.toContain('quiet');
  });

  it('output arriving while a line is half typed leaves the line intact', async () => {
    // Attached: the program's stdout is not this terminal, so its lines come only mirrored (under
    // `anode run` the terminal shows them already and they are not mirrored twice).
    const target = startTarget(['--inspect=127.0.0.1:0', program], { env: { CONTROLLED_QUIET: '1' } });
    const port = Number((await target.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr'))[1]);
    const a = startAnodePty(['attach', `127.0.0.1:${port}`, '--no-console']);
    await a.waitForPrompt();
    a.write(`.console on${KEY.enter}`);
    await a.waitFor('is shown here');
    a.write(`globalThis.action = 'chatter'${KEY.enter}`);
    const from = a.text().length;
    a.write('6 * ');
    await a.waitFor(/\[program\] chatter \{ tick: \d+ \}\n> 6 \* $/, { from });
    await a.waitFor(/\[program\] chatter[\s\S]*\[program\] chatter \{ tick: \d+ \}\n> 6 \* $/, { from });
    // What counts is the entry readline hands over: only `6 * 7` gives 42.
    const typed = a.text().length;
    a.write(`7${KEY.enter}`);
    await a.waitFor(/\n42\n/, { from: typed });
  });

  it('what the program logged before the console connected is not replayed (the inspector keeps it for new clients)', async () => {
    // The inspector is on from the start, so it stores the start-up lines; anode connects after them.
    const target = startTarget(['--inspect=127.0.0.1:0', program]);
    const url = (await target.waitFor(/ws:\/\/\S+/, 'stderr'))[0];
    await Promise.all([target.waitFor('controlled ready'), target.waitFor('controlled stderr line', 'stderr')]);
    const a = startAnode(['attach', url]);
    await a.waitForPrompt();
    await a.evaluate("console.error('after the console connected')");
    await a.waitFor('[program!] after the console connected');
    expect(a.stderr).not.toMatch(/\[program!?\] controlled/);
    a.end();
    expect((await a.exited).code).toBe(0);
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
