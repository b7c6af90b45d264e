// The program's output around an entry, in a real terminal: mirrored lines before the entry's result,
// every time; console.table once; under `anode run` nothing shown twice; a redirected stdout named once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { ANODE_COMMAND, KEY, startAnodePty, startShellPty } from '../helpers/pty.js';
import { startAnode } from '../helpers/anode.js';
import { ANODE_BIN } from '../helpers/paths.js';
// Plain JavaScript: feeds lines to a console whose stdout and stderr are one pipe (`2>&1`).
import * as transcript from './repl-cases/transcript.mjs';
import { startTarget } from '../helpers/target.js';

const CONTROLLED = path.join(TEST_FIXTURES, 'controlled.js');

async function attachedConsole() {
  const target = startTarget(['--inspect=127.0.0.1:0', CONTROLLED], { env: { CONTROLLED_QUIET: '1' } });
  const port = Number((await target.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr'))[1]);
  const a = startAnodePty(['attach', `127.0.0.1:${port}`, '--no-preview']);
  await a.waitForPrompt();
  return a;
}

describe('mirrored output (attach)', () => {
  it('what an entry logs comes before its result, every time', async () => {
    const a = await attachedConsole();
    for (let i = 0; i < 12; i++) {
      const from = a.text().length;
      a.write(`console.log('line' + ${i}), ${i} * 100${KEY.enter}`);
      await a.waitFor(/\n> $/, { from });
      expect(a.text().slice(from)).toMatch(new RegExp(`\\n\\[program\\] line${i}\\n${i * 100}\\n> $`));
    }
  });

  it('console.table shows the table once, without its raw arguments', async () => {
    const a = await attachedConsole();
    const from = a.text().length;
    a.write(`console.table([{ col: 'v' }])${KEY.enter}`);
    await a.waitFor(/undefined\n> $/, { from });
    const shown = a.text().slice(from);
    expect(shown.match(/┌/g)?.length).toBe(1);
    expect(shown).toContain('[program] │ (index) │ col │');
    expect(shown).not.toContain("[ { col: 'v' } ]");
  });
});

describe('under anode run', () => {
  it('--console does not show again what the terminal shows (console.error once)', async () => {
    const a = startAnodePty(['run', '--console', '--no-preview', CONTROLLED]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write(`console.error('once' + 'only'), console.log('also' + 'once'), 1${KEY.enter}`);
    await a.waitFor(/\n1\n> $/, { from });
    const shown = a.text().slice(from);
    expect(shown.match(/onceonly/g)?.length).toBe(1);
    expect(shown.match(/alsoonce/g)?.length).toBe(1);
    expect(shown).not.toContain('[program');
  });

  it('with stdout in a file, the first entry that logs says once where the output went', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anode-stdout-'));
    try {
      const sh = startShellPty({ cwd: dir });
      await sh.waitFor(/\$ $/);
      sh.write(`${ANODE_COMMAND} run --no-preview ${JSON.stringify(CONTROLLED)} > echo.log${KEY.enter}`);
      await sh.waitFor('anode: console into');
      await sh.waitFor(/> $/);
      let from = sh.text().length;
      sh.write(`console.log('first' + 'log')${KEY.enter}`);
      await sh.waitFor(/undefined\n> $/, { from });
      expect(sh.text().slice(from)).toMatch(/anode: console\.log output of the program goes to its stdout: echo\.log\nundefined\n> $/);
      from = sh.text().length;
      sh.write(`console.log('second' + 'log')${KEY.enter}`);
      await sh.waitFor(/undefined\n> $/, { from });
      expect(sh.text().slice(from)).not.toContain('goes to its stdout');
      sh.write(KEY.ctrlD);
      await sh.waitFor(/\n\$ $/, { from });
      expect(fs.readFileSync(path.join(dir, 'echo.log'), 'utf8')).toBe('firstlog\nsecondlog\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a piped console (a script) gets no notice, whether stdout is where the console writes (2>&1) or elsewhere', async () => {
    const runSession = transcript.runSession as (argv: string[], session: unknown, options: Record<string, unknown>) => Promise<{ cases: Record<string, string>; output: string }>;
    const session = { name: 'notice', cases: [{ id: 'log', input: ["console.log('same' + 'place')"] }] };
    const together = await runSession([process.execPath, ANODE_BIN, 'run', '--no-preview', CONTROLLED], session, { env: { CONTROLLED_QUIET: '1' } });
    expect(together.cases['log'], together.output).toBe('sameplace\nundefined');
    // Stdout and stderr on two sockets: the output is elsewhere, and still nothing is said to a script
    // (the terminal case above, "with stdout in a file", is the positive control: there it is said once).
    const apart = startAnode(['run', '--no-preview', CONTROLLED]);
    try {
      await apart.waitForPrompt();
      const shown = await apart.evaluate("console.log('other' + 'place')");
      expect(shown, apart.output()).toBe('undefined');
      await apart.waitFor('otherplace', { stream: 'stdout' });
    } finally {
      apart.end();
      await apart.exited;
    }
  });
});
