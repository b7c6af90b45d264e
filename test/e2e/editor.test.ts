// `.editor` as in Node's REPL: in a terminal, lines are collected until Ctrl+D evaluates them all (Ctrl+C
// discards them); without a terminal Node has no editor mode, and anode says so.
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

describe('.editor in a terminal', () => {
  it('evaluates every line on Ctrl+D, as one entry', async () => {
    const a = startAnodePty(['run']);
    await a.waitForPrompt();
    let from = a.text().length;
    a.write(`.editor${KEY.enter}`);
    await a.waitFor('// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)', { from });
    a.write(`function twice(x) {${KEY.enter}`);
    a.write(`  return x * 2;${KEY.enter}`);
    // Node's code alignment: the next line starts with the previous line's indentation.
    a.write(`}${KEY.enter}`);
    a.write(`twice(21)`);
    await a.waitFor('twice(21)', { from });
    expect(a.text().slice(from)).toContain('\n  }\n');
    expect(a.text().slice(from)).not.toMatch(/\n42\n/);
    a.write(KEY.ctrlD);
    await a.waitFor(/\n *42\n/, { from });
    await a.waitForPrompt(from);
    // The console is still there: Ctrl+D in editor mode did not close it.
    from = a.text().length;
    a.write(`twice(5)${KEY.enter}`);
    await a.waitFor(/\n10\n/, { from });
  });

  it('takes a pasted block ending in Ctrl+D as one entry', async () => {
    const a = startAnodePty(['run']);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write(`.editor${KEY.enter}`);
    await a.waitFor('Entering editor mode', { from });
    a.write(`function f() {${KEY.enter}return 6 * 7;${KEY.enter}}${KEY.enter}f()${KEY.ctrlD}`);
    // readline redraws the empty editor prompt as a blank that the result then covers.
    await a.waitFor(/\n *42\n> $/, { from });
    expect(a.text().slice(from)).not.toMatch(/SyntaxError/);
  });

  it('ignores the history keys, and discards the lines on Ctrl+C', async () => {
    const a = startAnodePty(['run']);
    await a.waitForPrompt();
    let from = a.text().length;
    a.write(`globalThis.ran = 0${KEY.enter}`);
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`.editor${KEY.enter}`);
    await a.waitFor('Entering editor mode', { from });
    // Up would recall `globalThis.ran = 0` outside editor mode.
    a.write(`globalThis.ran = 1${KEY.enter}${KEY.up}${KEY.ctrlD}`);
    await a.waitFor(/\n *1\n/, { from });
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`.editor${KEY.enter}`);
    await a.waitFor('Entering editor mode', { from });
    a.write(`globalThis.ran = 2${KEY.enter}`);
    a.write(KEY.ctrlC);
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`ran${KEY.enter}`);
    await a.waitFor(/\n1\n/, { from });
  });
});

describe('.editor without a terminal', () => {
  it('explains that it needs one, and lines go on being evaluated one by one', async () => {
    const a = startAnode(['run']);
    await a.waitForPrompt();
    expect(await a.evaluate('.editor')).toMatch(/^\.editor needs a terminal/);
    expect(await a.evaluate('1 + 1')).toBe('2');
  });
});
