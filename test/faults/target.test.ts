// Faults of the target (`npm run test:faults`): the program killed, stopped or exiting while Tab completion
// waits in a real terminal; the inspector connection dropped while the console is idle; the program
// flooding stderr (and both streams at once); the program exiting during an evaluation in every way.
// Each case asserts what anode does; the figures go to the test's stdout as `[faults] ...` lines.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, constants as fsConstants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { anode, echoLine, startEcho } from '../helpers/attach.js';
import { connectClient } from '../helpers/client.js';
import { COMPLETION_GIVE_UP_MS } from '../../src/console/engine.js';
import { ANODE_BIN, ROOT, TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive, killPid, track } from '../helpers/processes.js';
import { KEY } from '../helpers/pty.js';
import { accepts, pidsWith, relay, stateOf } from '../helpers/faults.js';
import { waitForText, waitUntil } from '../helpers/wait.js';

const controlled = path.join(TEST_FIXTURES, 'controlled.js');
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/**
 * anode in a pseudo-terminal under a shell that, once anode has ended, prints its exit status and the
 * terminal's modes (`stty -a`): what a user's shell would find after anode left.
 */
function anodeInShell(args: string[]) {
  const env = { ...process.env } as Record<string, string>;
  delete env.NO_COLOR;
  delete env.CI;
  Object.assign(env, { ANODE_REPL_HISTORY: '', TERM: 'xterm-256color', CONTROLLED_QUIET: '1' });
  const script = '"$0" "$@"; echo "[anode exit $?]"; stty -a; echo "[shell done]"';
  const p = pty.spawn('/bin/sh', ['-c', script, process.execPath, ANODE_BIN, ...args], { cols: 120, rows: 40, cwd: ROOT, env });
  let raw = '';
  const events = new EventEmitter();
  events.setMaxListeners(50);
  p.onData((d) => {
    raw += d;
    events.emit('data');
  });
  p.onExit(() => events.emit('exit'));
  const text = (): string => raw.replace(ANSI, '').replace(/\r/g, '');
  const handle = {
    description: `sh -c 'anode ${args.join(' ')}' (pty)`,
    output: text,
    text,
    write: (keys: string) => p.write(keys),
    waitFor: (pattern: string | RegExp, { from = 0, timeoutMs = 15_000 } = {}) =>
      waitForText({ text, emitter: events, dataEvent: 'data', endEvent: 'exit', describe: text }, pattern, from, timeoutMs),
    /** anode's exit status and the terminal modes the shell found after it. */
    async after(): Promise<{ code: number; modes: string }> {
      const m = await handle.waitFor(/\[anode exit (\d+)\]\n([\s\S]*)\[shell done\]/);
      return { code: Number(m[1]), modes: m[2]! };
    },
    kill: () => killPid(p.pid),
  };
  return track(handle);
}

/** Starts `anode run controlled.js` in a shell's terminal; resolves once the prompt is there. */
async function terminalConsole(args: string[] = [controlled]) {
  const t = anodeInShell(['run', ...args]);
  const pid = Number((await t.waitFor(/\(pid (\d+),/))[1]);
  await t.waitFor(/> $/);
  return { t, pid };
}

/** What a sane terminal looks like after anode: canonical input, echo and signals on again. */
function expectSaneTerminal(modes: string): void {
  for (const mode of ['icanon', 'echo', 'isig']) expect(modes).toMatch(new RegExp(`(^|\\s)${mode}(\\s|$)`));
}

describe('faults: the target during Tab completion, in a terminal', () => {
  it('SIGKILL while a completion is pending: the exit is reported, anode exits 137, the terminal is left sane', async () => {
    const { t, pid } = await terminalConsole();
    // Stopped first, the program cannot answer: the completion is certainly pending when it dies.
    process.kill(pid, 'SIGSTOP');
    await waitUntil(() => stateOf(pid) === 'T', () => `pid ${pid} not stopped`);
    const from = t.text().length;
    t.write(`process.versi${KEY.tab}`);
    await t.waitFor('process.versi', { from });
    const tabAt = Date.now();
    // The fault state: the Tab's request reaches the stopped program, well within the give-up time.
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    expect(killedAt - tabAt).toBeLessThan(COMPLETION_GIVE_UP_MS);
    const { code, modes } = await t.after();
    const exitMs = Date.now() - killedAt;
    expect(code).toBe(137);
    const screen = t.text().slice(from);
    // The notice on a line of its own, right after the half-typed line; no prompt, no stack after it.
    expect(screen).toMatch(/process\.versi\nanode: the program exited \(killed by SIGKILL\)\n\[anode exit 137\]\n/);
    expect(screen).not.toMatch(/\n\s+at |Tab completion error/);
    expectSaneTerminal(modes);
    expect(isAlive(pid)).toBe(false);
    await waitUntil(() => pidsWith('anode-watchdog', String(pid)).length === 0, () => 'the watchdog outlived the program');
    console.info(`[faults] program SIGKILLed with a Tab completion pending: anode exited 137 after ${exitMs} ms`);
  });

  it('SIGSTOP then Tab: completion gives up, the line stays editable, Ctrl-C and Enter work; after SIGCONT Tab completes', async () => {
    const { t, pid } = await terminalConsole();
    process.kill(pid, 'SIGSTOP');
    await waitUntil(() => stateOf(pid) === 'T', () => `pid ${pid} not stopped`);
    let from = t.text().length;
    // readline completes only on a Tab that ends what it read, and holds the keys typed after it until
    // the completion answers or gives up.
    t.write(`process.versi${KEY.tab}`);
    await t.waitFor('process.versi', { from });
    const t0 = Date.now();
    // The fault state: a moment for the Tab to be read on its own before more keys come.
    await new Promise((r) => setTimeout(r, 100));
    t.write('on');
    await t.waitFor('process.version', { from, timeoutMs: COMPLETION_GIVE_UP_MS + 4000 });
    const giveUpMs = Date.now() - t0;
    expect(giveUpMs).toBeGreaterThanOrEqual(COMPLETION_GIVE_UP_MS - 100);
    // Ctrl-C clears the line at once.
    from = t.text().length;
    t.write(KEY.ctrlC);
    await t.waitFor(/\n> $/, { from });
    // Enter submits; the entry waits for the program, and its result comes once the program continues.
    from = t.text().length;
    t.write(`6 * 7${KEY.enter}`);
    await t.waitFor('6 * 7\n', { from });
    // The fault state: stopped a while longer with the entry waiting.
    await new Promise((r) => setTimeout(r, 200));
    expect(t.text().slice(from)).not.toContain('42');
    process.kill(pid, 'SIGCONT');
    await t.waitFor(/\n42\n> $/, { from });
    // Tab completes again.
    from = t.text().length;
    t.write(`process.versi${KEY.tab}`);
    const t1 = Date.now();
    await t.waitFor('process.version', { from });
    const completeMs = Date.now() - t1;
    t.write(`s.node${KEY.enter}`);
    await t.waitFor(`'${process.versions.node}'`, { from });
    expect(t.text()).not.toContain('program got SIGINT');
    t.write(KEY.ctrlD);
    const { code, modes } = await t.after();
    expect(code).toBe(0);
    expectSaneTerminal(modes);
    console.info(
      `[faults] Tab on a SIGSTOPped program: completion gave up after ${giveUpMs} ms (limit ${COMPLETION_GIVE_UP_MS} ms); after SIGCONT it completed in ${completeMs} ms`,
    );
  });

  it('the program exits by itself (process.exit from a timer) while Tab is pending: its code is passed through', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anode-fifo-'));
    const fifo = path.join(dir, 'gate');
    execFileSync('mkfifo', [fifo]);
    try {
      const { t, pid } = await terminalConsole();
      let from = t.text().length;
      // A timer of the program blocks (outside JavaScript, so the inspector cannot answer) on a FIFO, then
      // exits with 5 once the test opens it for writing.
      t.write(`void setTimeout(() => { console.log('blocked' + ' on the gate'); require('fs').readFileSync(${JSON.stringify(fifo)}); process.exit(5) })${KEY.enter}`);
      await t.waitFor('blocked on the gate', { from });
      from = t.text().length;
      t.write(`process.versi${KEY.tab}`);
      await t.waitFor('process.versi', { from });
      // The fault state: the Tab's request waits in the blocked program, well within the give-up time.
      await new Promise((r) => setTimeout(r, 200));
      const opened = await waitUntil(() => {
        try {
          return openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
        } catch {
          return undefined; // ENXIO until the program has it open for reading
        }
      }, () => 'the program never opened the gate');
      const openedAt = Date.now();
      closeSync(opened);
      const { code, modes } = await t.after();
      const exitMs = Date.now() - openedAt;
      expect(code).toBe(5);
      const screen = t.text().slice(from);
      expect(screen).toMatch(/\nanode: the program exited \(code 5\)\n\[anode exit 5\]\n/);
      expect(screen).not.toMatch(/\n\s+at |Tab completion error/);
      expect(screen.match(/^anode: /gm)).toHaveLength(1);
      expectSaneTerminal(modes);
      expect(isAlive(pid)).toBe(false);
      await waitUntil(() => pidsWith('anode-watchdog', String(pid)).length === 0, () => 'the watchdog outlived the program');
      const answered = /process\.version\b/.test(screen);
      console.info(
        `[faults] process.exit(5) from a timer with Tab pending: anode exited 5 after ${exitMs} ms (the completion ${answered ? 'was answered on the way out' : 'never answered'})`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('faults: the inspector connection dropped while the console is idle', () => {
  /** The echo server with its inspector on a port of its own, and a relay to it that can cut connections. */
  async function echoBehindRelay() {
    const { target, port } = await startEcho(['--inspect=127.0.0.1:0']);
    const inspectPort = Number((await target.waitFor(/ws:\/\/127\.0\.0\.1:(\d+)\//, 'stderr'))[1]);
    const r = await relay(inspectPort);
    onTestFinished(() => r.close());
    return { target, port, inspectPort, r };
  }

  /** What anode says when the connection is gone but the program still runs. */
  const lost = (pid: number): string => `anode: the inspector connection closed; the program (pid ${pid}) is still running`;

  /** The program is untouched: alive, serving, its inspector open to the next console. */
  async function expectUntouched(target: { pid: number }, port: number, inspectPort: number): Promise<void> {
    expect(isAlive(target.pid)).toBe(true);
    expect(await echoLine(port, 'still served')).toBe('still served\n');
    const again = await anode(['attach', `127.0.0.1:${inspectPort}`, '-e', 'process.pid']);
    expect(again).toMatchObject({ code: 0, stdout: `${target.pid}\n` });
  }

  it('the terminal console: anode says so in one line and exits non-zero; the program keeps serving', async () => {
    const { target, port, inspectPort, r } = await echoBehindRelay();
    const a = startAnode(['attach', `127.0.0.1:${r.port}`]);
    await a.waitForPrompt();
    expect(await a.evaluate('process.pid')).toBe(String(target.pid));
    const from = a.stderr.length;
    const t0 = Date.now();
    r.drop();
    const { code } = await a.exited;
    const ms = Date.now() - t0;
    expect(code).not.toBe(0);
    const said = a.stderr.slice(from);
    expect(said.match(/^anode: .*$/gm)).toEqual([lost(target.pid)]);
    expect(said).not.toMatch(/\n\s+at |exited/);
    await expectUntouched(target, port, inspectPort);
    console.info(`[faults] inspector connection dropped while idle: anode exited ${code} after ${ms} ms: ${said.trim()}`);
  });

  it('attach --serve with two clients: each is told once and its socket closed; anode exits non-zero', async () => {
    const { target, port, inspectPort, r } = await echoBehindRelay();
    const a = startAnode(['attach', '--serve', '0', `127.0.0.1:${r.port}`]);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const clients = await Promise.all([connectClient(address), connectClient(address)]);
    await Promise.all(clients.map((c) => c.waitFor(/\n> $/)));
    expect(await clients[0]!.evaluate('process.pid')).toBe(String(target.pid));
    r.drop();
    await Promise.all(clients.map((c) => c.closed));
    for (const c of clients) {
      const notices = c.text.split('\n').filter((l) => l.startsWith('anode: ') && !l.startsWith('anode: attached to'));
      expect(notices).toEqual([`${lost(target.pid)}; closing the console`]);
    }
    const { code } = await a.exited;
    expect(code).not.toBe(0);
    expect(a.stderr).toContain(`\n${lost(target.pid)}\n`);
    expect(a.stderr).not.toMatch(/\n\s+at |exited/);
    expect(await accepts(Number(address.split(':').pop()))).toBe(false);
    await expectUntouched(target, port, inspectPort);
    console.info(`[faults] inspector connection dropped under 2 served clients: told "${clients[0]!.text.trim().split('\n').pop()}"; anode exited ${code}`);
  });
});
