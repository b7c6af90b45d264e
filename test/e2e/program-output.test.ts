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

  it('a program that logs faster than the budget: anode stops listening a moment and says how many lines it did not show; slower, every line is shown', async () => {
    // A program that logs `n` lines in bursts of 50 when told, then `burst done`.
    const source = `process.stdin.on('data', (d) => { const n = Number(d); let i = 0; const go = () => { for (let k = 0; k < 50 && i < n; k += 1) console.log('line ' + ++i + ' of ' + n); if (i < n) setImmediate(go); else console.log('burst done ' + n); }; go(); }); console.log('up')`;
    const target = startTarget(['-e', source]);
    await target.waitFor('up');
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    // Under the budget (the control): all of them, no note.
    let from = a.stderr.length;
    target.child.stdin.write('300\n');
    await a.waitFor('[program] burst done 300', { from });
    const slow = a.stderr.slice(from);
    expect(slow.match(/\[program\] line \d+ of 300\n/g)).toHaveLength(300);
    expect(slow).not.toContain('not shown');
    // Over it: the lines shown, plus those counted in notes, are every line (until the inspector's store is full).
    from = a.stderr.length;
    target.child.stdin.write('5000\n');
    await a.waitFor('[program] burst done 5000', { from, timeoutMs: 20_000 });
    await a.waitFor(/lines? not shown/, { from });
    const fast = a.stderr.slice(from);
    const shown = fast.match(/\[program\] line \d+ of 5000\n/g)?.length ?? 0;
    const notes = [...fast.matchAll(/anode: (at least )?(\d+) lines? not shown: the program logged faster than anode shows its output without slowing it\n/g)];
    expect(notes.length).toBeGreaterThan(0);
    const counted = notes.reduce((n, m) => n + Number(m[2]), 0);
    if (!notes.some((m) => m[1])) expect(shown + counted).toBe(5000);
    else expect(shown + counted).toBeLessThanOrEqual(5000);
    expect(shown).toBeLessThan(5000);
    console.info(`[mirror] 5000 lines in bursts: ${shown} shown, ${counted} said not shown (${notes.length} notes)`);
    // The console still works, and the program too.
    expect(await a.evaluate('1 + 1')).toBe('2');
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('leaving shows the lines still on their way (they are not dropped)', async () => {
    // A burst under the mirroring budget: the inspector may answer anode's last round trip in its middle
    // (it interrupts the program to dispatch), so leaving waits until a round trip brings no new line.
    const source = `process.stdin.on('data', () => { for (let i = 1; i <= 900; i += 1) console.log('late ' + i); }); console.log('up')`;
    const target = startTarget(['-e', source]);
    await target.waitFor('up');
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    target.child.stdin.write('go\n');
    await a.waitFor('[program] late 1\n');
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stderr).toContain('[program] late 900\n');
    expect(a.stderr.match(/\[program\] late \d+\n/g)).toHaveLength(900);
  });
});
