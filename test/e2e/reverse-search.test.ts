// Ctrl+R in a real terminal: reverse incremental search through the history.
import path from 'node:path';
import { describe, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

describe('Ctrl+R reverse search', () => {
  it('finds the newest matching entry, older ones on Ctrl+R again; Enter runs it, Ctrl+G gives up', async () => {
    const a = startAnodePty(['run', '--no-preview', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    for (const line of ['let alpha = 1', 'let beta = 2', 'alpha + 100', 'beta + 200']) {
      const from = a.text().length;
      a.write(`${line}${KEY.enter}`);
      await a.waitForPrompt(from);
    }
    let from = a.text().length;
    a.write(`${KEY.ctrlR}alp`);
    await a.waitFor("(reverse-i-search)`alp': alpha + 100", { from });
    a.write(KEY.ctrlR);
    await a.waitFor("(reverse-i-search)`alp': let alpha = 1", { from });
    a.write(KEY.ctrlR);
    await a.waitFor("(reverse-i-search)`alp': let alpha = 1", { from });
    a.write('x');
    await a.waitFor("(failed reverse-i-search)`alpx': let alpha = 1", { from });
    a.write('\x07'); // Ctrl+G: back to the (empty) line as it was
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`${KEY.ctrlR}beta +${KEY.enter}`);
    await a.waitFor(/\n202\n> $/, { from });
  });
});
