// Syntax colouring of the line being typed, on a colour terminal only.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { highlight } from '../../src/console/highlight.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const program = path.join(TEST_FIXTURES, 'controlled.js');

describe('syntax colouring of the input line', () => {
  it('colours keywords, strings, numbers and comments, keeping every character', () => {
    const code = "let x = 'a' + 1 // note";
    const coloured = highlight(code);
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(code);
    expect(coloured).toContain('\x1b[36mlet\x1b[39m');
    expect(coloured).toContain("\x1b[32m'a'\x1b[39m");
    expect(coloured).toContain('\x1b[33m1\x1b[39m');
    expect(coloured).toContain('\x1b[90m// note\x1b[39m');
    expect(highlight("foo('unfinished")).toBe("foo('unfinished");
  });

  it('colours the typed line in a colour terminal, and the line still runs as typed', async () => {
    const a = startAnodePty(['run', '--highlight', '--no-preview', program]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write("typeof 'x'");
    await a.waitFor("> typeof 'x'", { from });
    expect(a.raw()).toContain("\x1b[36mtypeof\x1b[39m \x1b[32m'x'\x1b[39m");
    a.write(KEY.enter);
    await a.waitFor(/\n'string'\n> $/, { from });
  });

  it('leaves the line plain without --highlight, and with --no-color', async () => {
    const plain = startAnodePty(['run', '--no-preview', program]);
    await plain.waitForPrompt();
    const at = plain.text().length;
    plain.write(`typeof 1${KEY.enter}`);
    await plain.waitFor(/\n'number'\n> $/, { from: at });
    expect(plain.raw()).not.toContain('\x1b[36mtypeof');
    const a = startAnodePty(['run', '--highlight', '--no-preview', '--no-color', program]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write(`typeof 1${KEY.enter}`);
    await a.waitFor(/\n'number'\n> $/, { from });
    expect(a.raw()).not.toContain('\x1b[36mtypeof');
  });
});
