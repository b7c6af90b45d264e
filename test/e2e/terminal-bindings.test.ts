// `main` and `scope` from the first key: the preview and Tab see them before any entry has mentioned
// them, and Tab completes through an ES module namespace (`main.todos.fil`).
import path from 'node:path';
import { describe, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const APP = path.join(TEST_FIXTURES, 'esm-todos.mjs');

describe('main and scope before any entry', () => {
  it('Tab completes main.st in a fresh console', async () => {
    const a = startAnodePty(['run', APP]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write('main.st');
    a.write(KEY.tab);
    await a.waitFor('main.store', { from });
  });

  it('the preview of `typeof main` is object in a fresh console', async () => {
    const a = startAnodePty(['run', APP]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write('typeof main');
    await a.waitFor("typeof main\n'object'", { from });
  });

  it('Tab completes through the ES module namespace (main.todos.filt) and through scope', async () => {
    const a = startAnodePty(['run', APP]);
    await a.waitForPrompt();
    let from = a.text().length;
    a.write('main.todos.filt');
    a.write(KEY.tab);
    await a.waitFor('main.todos.filter', { from });
    a.write(KEY.ctrlC);
    await a.waitForPrompt(from);
    from = a.text().length;
    // Reading `scope` takes the program a moment (longer than Tab waits on a loaded machine): as when a
    // user types, its preview is there before the rest of the line.
    a.write('scope');
    await a.waitFor(/scope\n.*todos/, { from });
    a.write('.todos.filt');
    a.write(KEY.tab);
    // The cursor went back up from the preview row: on the stripped screen the rest follows that row.
    await a.waitFor('.todos.filter', { from });
  });
});
