// What a user types and pastes into the terminal console, key by key in a real pseudo-terminal: keys typed
// while an entry runs, bracketed pastes of several lines (Node's transcript order), Tabs and newlines in a
// paste, a paste into `.editor`, and Ctrl-C dropping what was pasted ahead.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty, type PtyAnode } from '../helpers/pty.js';

const PASTE = (text: string): string => `\x1b[200~${text}\x1b[201~`;

async function startConsole(): Promise<PtyAnode> {
  const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js'), '--no-preview']);
  await a.waitForPrompt();
  return a;
}

describe('type-ahead', () => {
  it('keys typed during an await wait for the next prompt, cursor at their end; the next keys append', async () => {
    const a = await startConsole();
    let from = a.text().length;
    // Enter and the keys after it arrive together: the keys are typed while the entry runs.
    a.write(`await new Promise((r) => setTimeout(r, 1500, 'slept'))${KEY.enter}[1,2,3]`);
    await a.waitFor(/'slept'\n> \[1,2,3\]$/, { from });
    from = a.text().length;
    a.write(`.length${KEY.enter}`);
    await a.waitFor(/^\.length\n3\n> $/m, { from });
  });

  it('keys typed during a synchronous loop of the program are kept the same way', async () => {
    const a = await startConsole();
    let from = a.text().length;
    a.write(`{ const t = Date.now(); while (Date.now() - t < 2000) {} 'spun' }${KEY.enter}abc`);
    await a.waitFor(/'spun'\n> abc$/, { from });
    from = a.text().length;
    a.write(`d${KEY.enter}`);
    await a.waitFor('ReferenceError: abcd is not defined', { from });
  });

  it('typed-ahead lines are evaluated in turn, each after its own prompt', async () => {
    const a = await startConsole();
    const from = a.text().length;
    a.write(`await new Promise((r) => setTimeout(r, 500, 1))${KEY.enter}2${KEY.enter}3${KEY.enter}`);
    await a.waitFor(/\n1\n> 2\n2\n> 3\n3\n> $/, { from });
  });
});

describe('bracketed paste', () => {
  it('is enabled on the terminal and disabled when the console ends', async () => {
    const a = await startConsole();
    expect(a.raw()).toContain('\x1b[?2004h');
    a.write(KEY.ctrlD);
    await a.exited;
    expect(a.raw().lastIndexOf('\x1b[?2004l')).toBeGreaterThan(a.raw().lastIndexOf('\x1b[?2004h'));
  });

  it("gives Node's transcript: each pasted line after its prompt, then its result", async () => {
    const a = await startConsole();
    const from = a.text().length;
    const lines = [
      '1 + 1',
      "await new Promise((r) => setTimeout(r, 300, 'awaited'))",
      'function f() {',
      '  return 7',
      '}',
      'let broken = )',
      'f()',
    ];
    a.write(PASTE(`${lines.join('\n')}\n`));
    await a.waitFor(
      /^1 \+ 1\n2\n> await .*\n'awaited'\n> function f\(\) \{\n\.\.\. {3}return 7\n\.\.\. \}\nundefined\n> let broken = \)\nlet broken = \)\n {13}\^\n\nUncaught SyntaxError: Unexpected token '\)'\n> f\(\)\n7\n> $/m,
      { from },
    );
  });

  it('30 pasted lines come out in order', async () => {
    const a = await startConsole();
    const from = a.text().length;
    const lines = Array.from({ length: 30 }, (_, i) => `${i} * 2`);
    a.write(PASTE(`${lines.join('\n')}\n`));
    const expected = lines.map((l, i) => `${l}\n${i * 2}\n> `).join('');
    await a.waitFor(expected, { from, timeoutMs: 30_000 });
  });

  it('a paste that is one statement over several lines is one entry (not a line-by-line error)', async () => {
    const a = await startConsole();
    const from = a.text().length;
    a.write(PASTE('[1, 2, 3]\n  .map((x) => x * 2)\n  .join("-")\n'));
    await a.waitFor(/^\[1, 2, 3\]\n\.\.\. {3}\.map\(\(x\) => x \* 2\)\n\.\.\. {3}\.join\("-"\)\n'2-4-6'\n> $/m, { from });
  });

  it('a pasted Tab is text, while a typed Tab completes', async () => {
    const a = await startConsole();
    let from = a.text().length;
    a.write(PASTE('"a\tb".length'));
    a.write(KEY.enter);
    await a.waitFor(/\n3\n> $/, { from });
    // Positive control: the same key typed completes.
    from = a.text().length;
    a.write(`process.versio${KEY.tab}`);
    await a.waitFor('process.version', { from });
    a.write(`.length > 0${KEY.enter}`);
    await a.waitFor(/\ntrue\n> $/, { from });
  });

  it('a pasted newline inside an unfinished entry continues it', async () => {
    const a = await startConsole();
    const from = a.text().length;
    a.write(`function g() {${KEY.enter}`);
    await a.waitFor('... ', { from });
    a.write(PASTE('  return 41 +\n  1\n}\ng()\n'));
    await a.waitFor(/\n42\n> $/, { from });
  });

  it('a paste beginning with .editor goes into the editor, with its own indentation', async () => {
    const a = await startConsole();
    const from = a.text().length;
    // With Node's auto-indent for typed lines, `  y` would gain the four spaces of the line before.
    a.write(PASTE('.editor\nconst s = `\n    x\n  y`\nJSON.stringify(s)\n'));
    await a.waitFor('JSON.stringify(s)', { from });
    a.write(KEY.ctrlD);
    await a.waitFor(`'"\\\\n    x\\\\n  y"'`, { from });
    await a.waitForPrompt(from);
  });

  it('Ctrl-C interrupts the running pasted line and drops the lines pasted after it', async () => {
    const a = await startConsole();
    let from = a.text().length;
    a.write(PASTE("await new Promise(() => {})\n'second' + 'line'\n'third' + 'line'\n"));
    await a.waitFor('await new Promise(() => {})\n', { from });
    from = a.text().length;
    a.write(KEY.ctrlC);
    await a.waitFor('Interrupted', { from });
    await a.waitForPrompt(from);
    a.write(`'after' + 'wards'${KEY.enter}`);
    await a.waitFor("'afterwards'", { from });
    expect(a.text().slice(from)).not.toMatch(/secondline|thirdline/);
  });
});
