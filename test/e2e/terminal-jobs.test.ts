// The terminal console among a shell's jobs and the terminal's changes: Ctrl-Z and `fg`, a redirected
// stderr (`2> err.log`), and resizes seen by the program and by the preview. Driven through a real bash
// in a pseudo-terminal where a shell's job control is what is tested.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { echoLine } from '../helpers/attach.js';
import { FIXTURES, TEST_FIXTURES } from '../helpers/paths.js';
import { ANODE_COMMAND, KEY, startAnodePty, startShellPty } from '../helpers/pty.js';

describe('job control', () => {
  it('Ctrl-Z suspends anode while the program keeps serving; fg brings back the prompt and every key', async () => {
    const sh = startShellPty();
    await sh.waitFor(/\$ $/);
    sh.write(`${ANODE_COMMAND} run ${JSON.stringify(path.join(FIXTURES, 'echo.js'))} 0${KEY.enter}`);
    const port = Number((await sh.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
    let from = sh.text().length;
    sh.write(`6 * 7${KEY.enter}`);
    await sh.waitFor(/\n42\n> $/, { from });
    sh.write('half');
    await sh.waitFor('> half', { from });
    from = sh.text().length;
    sh.write('\x1a');
    await sh.waitFor(/Stopped.*\n\$ $/, { from });
    // Suspended: the program is in its own session and still answers.
    expect(await echoLine(port, 'while suspended')).toBe('while suspended\n');
    from = sh.text().length;
    sh.write(`fg${KEY.enter}`);
    // The prompt comes back with the half-typed line, and the keys go on from there.
    await sh.waitFor(/> half$/, { from });
    from = sh.text().length;
    sh.write(`way = 1${KEY.enter}`);
    await sh.waitFor(/\n1\n> $/, { from });
    from = sh.text().length;
    sh.write(`process.versio${KEY.tab}`);
    await sh.waitFor('process.version', { from });
    sh.write(KEY.ctrlC);
    await sh.waitFor(/> $/, { from });
    from = sh.text().length;
    sh.write(`[...main.history.values()].flat()${KEY.enter}`);
    await sh.waitFor("[ 'while suspended' ]", { from });
    from = sh.text().length;
    sh.write(KEY.ctrlD);
    await sh.waitFor(/\n\$ $/, { from });
  });
});

describe('redirects', () => {
  it('anode run app.js 2> err.log: the console stays on the terminal, the program\'s stderr goes to the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anode-redirect-'));
    try {
      const log = path.join(dir, 'err.log');
      const sh = startShellPty();
      await sh.waitFor(/\$ $/);
      // CONTROLLED_QUIET empty: the program writes a line to its stderr at start.
      sh.write(`CONTROLLED_QUIET= ${ANODE_COMMAND} run ${JSON.stringify(path.join(TEST_FIXTURES, 'controlled.js'))} 2> ${JSON.stringify(log)}${KEY.enter}`);
      await sh.waitFor('anode: console into');
      // Its start-up line (stdout, on the terminal) may come before or after the first prompt.
      await sh.waitFor('controlled ready');
      await sh.waitFor(/> $|controlled ready\r?\n$/);
      let from = sh.text().length;
      sh.write(`'on the ' + 'terminal'${KEY.enter}`);
      await sh.waitFor(/'on the terminal'\n> $/, { from });
      from = sh.text().length;
      sh.write(`console.error('to the ' + 'file')${KEY.enter}`);
      await sh.waitFor(/undefined\n> $/, { from });
      sh.write(KEY.ctrlD);
      await sh.waitFor(/\n\$ $/, { from });
      const written = fs.readFileSync(log, 'utf8');
      expect(written).toContain('controlled stderr line\n');
      expect(written).toContain('to the file\n');
      expect(written).not.toContain('console into');
      expect(written).not.toContain('> ');
      expect(sh.text()).not.toContain('to the file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resizes', () => {
  it("the program sees the terminal's new size (columns and 'resize') under anode run", async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'resize-watch.js')]);
    await a.waitForPrompt();
    let from = a.text().length;
    a.write(`process.stdout.columns${KEY.enter}`);
    await a.waitFor(/\n120\n> $/, { from });
    from = a.text().length;
    a.resize(90, 30);
    await a.waitFor('resized to 90x30', { from });
    from = a.text().length;
    a.write(`process.stdout.columns${KEY.enter}`);
    await a.waitFor(/\n90\n> $/, { from });
  });

  it('the preview is drawn again after a resize', async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    let from = a.text().length;
    a.write('40 + 2');
    await a.waitFor(/40 \+ 2\n42/, { from });
    from = a.text().length;
    a.resize(100, 30);
    await a.waitFor(/40 \+ 2\n42/, { from });
  });
});
