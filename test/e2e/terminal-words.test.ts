// What anode says at the edges of a console: the newline after Ctrl-D, the line on leaving attach, what a
// failed connection means, the help texts, the banner of an empty process.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { startEcho } from '../helpers/attach.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

describe('endings', () => {
  it('Ctrl-D ends with a newline, so the shell prompt starts a line of its own', async () => {
    const a = startAnodePty(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await a.waitForPrompt();
    const from = a.text().length;
    a.write(KEY.ctrlD);
    expect((await a.exited).exitCode).toBe(0);
    expect(a.text().slice(from)).toMatch(/^\n/);
  });

  it('leaving attach says, in one line, that the program keeps running', async () => {
    const { target } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stderr).toContain(`anode: detached from pid ${target.pid}; it keeps running\n`);
  });
});

describe('connection errors say what to do', () => {
  it('attach to a port where nothing listens', async () => {
    const a = startAnode(['attach', '127.0.0.1:1']);
    expect((await a.exited).code).toBe(1);
    expect(a.stderr.trim()).toBe(
      'anode: cannot connect to the inspector at 127.0.0.1:1: nothing listens there: is the program started with --inspect? (`anode attach PID` opens the inspector for you)',
    );
  });

  it('connect to a host name that does not resolve', async () => {
    const a = startAnode(['connect', 'nope.invalid:99']);
    expect((await a.exited).code).toBe(1);
    expect(a.stderr).toMatch(/^anode: cannot connect to the console at nope\.invalid:99: the host name 'nope\.invalid' (did not resolve|could not be resolved)/);
  });
});

describe('help texts', () => {
  for (const command of [[], ['run'], ['attach'], ['connect'], ['ps']]) {
    it(`anode ${command.join(' ')} --help: one style, no defaults that read as values, an Examples section`, async () => {
      const a = startAnode([...command, '--help']);
      expect((await a.exited).code).toBe(0);
      const help = a.stdout;
      expect(help).toContain('\nExamples:\n  $ anode');
      expect(help).not.toMatch(/\(default: (\[\]|false|ANODE_TOKEN)\)/);
      expect(help).not.toMatch(/display help|output the version/);
      expect(help).toContain('-h, --help');
      expect(help).toMatch(/show this help/);
      // attach mirrors by default: it offers --no-console, not both.
      if (command[0] === 'attach') expect(help).not.toMatch(/^\s+--console\b/m);
    });
  }
});

describe('banner', () => {
  it('of an empty process does not mention `main`; of a program it does', async () => {
    const empty = startAnode([]);
    await empty.waitForPrompt();
    expect(empty.stderr).toContain('console into an empty node process');
    expect(empty.stderr).not.toContain('`main`');
    const app = startAnode(['run', path.join(TEST_FIXTURES, 'controlled.js')]);
    await app.waitForPrompt();
    expect(app.stderr).toContain('`main` is the entry module');
  });
});
