// Persistent history in a real terminal: survives a restart, keeps multi-line entries whole, mode 0600.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const program = path.join(TEST_FIXTURES, 'controlled.js');

async function session(file: string) {
  const a = startAnodePty(['run', program], { env: { ANODE_REPL_HISTORY: file } });
  await a.waitForPrompt();
  return a;
}

describe('persistent history', () => {
  it('survives a restart, recalls a multi-line entry whole, and is private', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-history-'));
    const file = path.join(dir, 'history');
    await writeFile(file, 'old entry\n', { mode: 0o644 });
    const first = await session(file);
    for (const line of ['1 + 1', '1 + 1', 'function twice(n) {', 'return n * 2', '}']) first.write(`${line}${KEY.enter}`);
    await first.waitFor(/undefined\n> $/);
    first.write(KEY.ctrlD);
    await first.exited;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('old entry\n1 + 1\nfunction twice(n) {\rreturn n * 2\r}\n');

    const second = await session(file);
    let from = second.text().length;
    second.write(KEY.up);
    await second.waitFor(/> function twice\(n\) \{\n(\| )?return n \* 2\n(\| )?\}/, { from });
    // Node 24's readline (anode's, so the Node the tests run on) moves the cursor up through a recalled
    // multi-line entry, as Node's own REPL there does, before Up goes on to the older entry.
    const rowsToClimb = Number(process.versions.node.split('.')[0]) >= 24 ? 2 : 0;
    for (let i = 0; i < rowsToClimb; i++) second.write(KEY.up);
    from = second.text().length;
    second.write(KEY.up);
    await second.waitFor('1 + 1', { from });
    from = second.text().length;
    second.write(`${KEY.down}`);
    await second.waitFor('function twice', { from });
    second.write(KEY.enter);
    await second.waitFor(/undefined\n> $/, { from });
    from = second.text().length;
    second.write(`twice(4)${KEY.enter}`);
    await second.waitFor(/\n8\n/, { from });
  });

  it('ANODE_REPL_HISTORY="" turns it off', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-history-'));
    const a = startAnodePty(['run', program], { env: { ANODE_REPL_HISTORY: '', HOME: dir } });
    await a.waitForPrompt();
    a.write(`2 + 2${KEY.enter}`);
    await a.waitFor(/\n4\n/);
    a.write(KEY.ctrlD);
    await a.exited;
    await expect(stat(path.join(dir, '.anode_repl_history'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
