// Faults of the target (`npm run test:faults`): the program killed, stopped or exiting while Tab completion
// waits in a real terminal; the inspector connection dropped while the console is idle; the program
// flooding stderr, stdout (anode's memory) and both at once; the program exiting during an evaluation.
// Each case asserts what anode does; the figures go to the test's stdout as `[faults] ...` lines.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, constants as fsConstants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { anode, echoLine, startEcho } from '../helpers/attach.js';
import { connectClient } from '../helpers/client.js';
import { COMPLETION_GIVE_UP_MS } from '../../src/console/engine.js';
import { processTable } from '../../src/program/process-table.js';
import { ANODE_BIN, FIXTURES, ROOT, TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive, killPid, track } from '../helpers/processes.js';
import { KEY, ptyEnv } from '../helpers/pty.js';
import { accepts, askDuringFlood, floodDigest, pidsWith, relay, rssGrowth, stateOf } from '../helpers/faults.js';
import { waitForText, waitUntil } from '../helpers/wait.js';

const controlled = path.join(TEST_FIXTURES, 'controlled.js');
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/**
 * anode in a pseudo-terminal under a shell that, once anode has ended, prints its exit status and the
 * terminal's modes (`stty -a`): what a user's shell would find after anode left.
 */
function anodeInShell(args: string[]) {
  const env = ptyEnv();
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
    raw: () => raw,
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
    // Nothing but the notice's own closing style between it and the shell: no redrawn prompt, no cursor move.
    expect(t.raw()).toMatch(/\(killed by SIGKILL\)(\x1b\[22m)?\r?\n\[anode exit 137\]/);
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
    expect(giveUpMs).toBeGreaterThanOrEqual(COMPLETION_GIVE_UP_MS / 2); // it waited, then gave up
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
          return { fd: openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK) };
        } catch {
          return undefined; // ENXIO until the program has it open for reading
        }
      }, () => 'the program never opened the gate');
      const openedAt = Date.now();
      closeSync(opened.fd);
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

/**
 * Takes the program's bytes out of a piped anode's stderr as they arrive, so 100 MiB never pile up in the
 * helper: characters matching `program` (a global RegExp) go to `sink`, the rest (the console's prompts
 * and results) stays in `a.stderr` for waitFor/evaluate. Returns a function that stops the split.
 */
function splitStderr(a: AnodeProcess, program: RegExp, sink: (text: string) => void): () => void {
  let kept = a.stderr;
  Object.defineProperty(a, 'stderr', {
    configurable: true,
    get: () => kept,
    // The helper appends each chunk (`a.stderr += chunk`): what is new is past what it was given.
    set: (whole: string) => {
      const fresh = whole.slice(kept.length);
      const ours = fresh.match(program);
      if (ours) sink(ours.join(''));
      kept += fresh.replace(program, '');
    },
  });
  return () => {
    Object.defineProperty(a, 'stderr', { configurable: true, writable: true, value: kept });
  };
}

/** Checks streamed text line by line against `expected(n)`; remembers the first difference. */
function lineChecker(expected: (n: number) => string) {
  let partial = '';
  const state = { lines: 0, bytes: 0, mismatch: undefined as string | undefined };
  return {
    state,
    push(text: string) {
      state.bytes += text.length;
      if (state.mismatch) return;
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (line !== expected(state.lines)) {
          state.mismatch = `line ${state.lines}: ${JSON.stringify(line.slice(0, 120))}, expected ${JSON.stringify(expected(state.lines).slice(0, 40))}`;
          return;
        }
        state.lines += 1;
      }
    },
    rest: () => partial,
  };
}

/** Anode's stderr is fine for a flood only if nothing of its own (a warning, an error) appeared. */
const ANODE_NOTICE = /Uncaught|\nanode: |\n\s+at /;

/**
 * Waits until the flood fixture has its SIGUSR2 handler: on a loaded machine the console's first prompt
 * can come before the ES module's body ran (the signal's default action would end the program). Asked
 * before the test counts the streams: the answers are the console's output.
 */
async function floodArmed(a: ReturnType<typeof startAnode>): Promise<void> {
  for (let i = 0; (await a.evaluate('main?.armed')) !== 'true'; i++) {
    if (i >= 200) throw new Error(`the flood fixture never armed its SIGUSR2 handler\n${a.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('faults: the program floods its output', () => {
  // Bounds asserted for anode's own memory while it passes a flood on (measured growth is printed).
  const RSS_GROWTH_LIMIT_MIB = 64;

  it('100 MiB to stderr while the console is used: every byte arrives in order, the console answers, RSS stays bounded', async () => {
    const total = 100 * 1024 * 1024;
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'flood-streams.mjs')], { env: { FLOOD_MODE: 'stderr', FLOOD_BYTES: String(total) } });
    await a.waitForPrompt();
    await floodArmed(a);
    const pid = await a.programPid();
    // anode's stderr carries the program's stderr (through the inspector-line filter) AND the console. The
    // flood is lowercase letters only, the console's output from here on digits, '> ' and newlines (only
    // numbers are evaluated): split by alphabet, each stream keeps its own order.
    const received = createHash('sha256');
    let bytes = 0;
    const unsplit = splitStderr(a, /[a-z]+/g, (text) => {
      bytes += text.length;
      received.update(text, 'latin1');
    });
    const rss = rssGrowth(a.pid);
    process.kill(pid, 'SIGUSR2');
    const ms = await askDuringFlood(a, total);
    await waitUntil(() => bytes >= total, () => `${bytes} of ${total} bytes received`);
    const { baseMiB, peakGrowthMiB } = rss.stop();
    unsplit();
    expect(bytes).toBe(total);
    expect(received.digest('hex')).toBe(floodDigest(total));
    expect(ms.length).toBeGreaterThan(0);
    expect(a.stderr).not.toMatch(ANODE_NOTICE);
    expect(peakGrowthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
    console.info(
      `[faults] 100 MiB stderr flood through anode's filter: ${bytes} bytes in order; ${ms.length} console answers during it, median ${ms[ms.length >> 1]} ms, max ${ms.at(-1)} ms; anode RSS ${baseMiB} MiB, peak growth ${peakGrowthMiB} MiB`,
    );
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it("100 MiB to stdout: every byte arrives and anode's RSS stays bounded (the program writes to anode's stdout directly)", { timeout: 60_000 }, async () => {
    const total = 100 * 1024 * 1024;
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'flood-streams.mjs')], { env: { FLOOD_MODE: 'stdout', FLOOD_BYTES: String(total) } });
    a.child.stdout.removeAllListeners('data');
    let bytes = 0;
    a.child.stdout.on('data', (d: string) => (bytes += d.length));
    await a.waitForPrompt();
    await floodArmed(a);
    const rss = rssGrowth(a.pid);
    process.kill(await a.programPid(), 'SIGUSR2');
    await waitUntil(() => bytes >= total, () => `${bytes} of ${total} bytes received`, 30_000);
    const { baseMiB, peakGrowthMiB } = rss.stop();
    expect(bytes).toBe(total);
    expect(await a.evaluate('main.written')).toBe(String(total));
    expect(peakGrowthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
    console.info(`[faults] 100 MiB stdout flood: anode RSS ${baseMiB} MiB, peak growth ${peakGrowthMiB} MiB`);
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('stdout and stderr flooded at once with numbered lines: each stream complete and in order', async () => {
    const lines = 150_000;
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'flood-streams.mjs')], { env: { FLOOD_MODE: 'mixed', FLOOD_LINES: String(lines) } });
    await a.waitForPrompt();
    await floodArmed(a);
    const pid = await a.programPid();
    const pad = 'x'.repeat(80);
    const out = lineChecker((n) => `out ${String(n).padStart(7, '0')} ${pad}`);
    const err = lineChecker((n) => `err ${String(n).padStart(7, '0')} ${pad}`);
    a.child.stdout.removeAllListeners('data');
    a.child.stdout.on('data', (d: string) => out.push(d));
    // The console stays silent during this flood: everything on stderr meanwhile is the program's.
    const unsplit = splitStderr(a, /[\s\S]+/g, (text) => err.push(text));
    const rss = rssGrowth(a.pid);
    const t0 = Date.now();
    process.kill(pid, 'SIGUSR2');
    const complete = (s: typeof out.state): boolean => s.lines >= lines || s.mismatch !== undefined;
    await waitUntil(() => complete(out.state) && complete(err.state), () => `stdout ${out.state.lines}, stderr ${err.state.lines} of ${lines} lines`, 30_000);
    const ms = Date.now() - t0;
    const { peakGrowthMiB } = rss.stop();
    unsplit();
    expect(out.state.mismatch).toBeUndefined();
    expect(err.state.mismatch).toBeUndefined();
    expect([out.state.lines, err.state.lines]).toEqual([lines, lines]);
    expect([out.rest(), err.rest()]).toEqual(['', '']);
    expect(await a.evaluate('main.done')).toBe('true');
    expect(a.stderr).not.toMatch(ANODE_NOTICE);
    console.info(
      `[faults] mixed flood: ${lines} lines (${(out.state.bytes / 1048576).toFixed(1)} MiB) on each of stdout and stderr, complete and in order, in ${ms} ms; anode RSS peak growth ${peakGrowthMiB} MiB`,
    );
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});

describe('faults: the program exits during an evaluation', () => {
  it.each([
    ['process.exit inside an awaited promise', 'await new Promise((r) => setTimeout(r, 10)).then(() => process.exit(4))', 4, 'code 4'],
    [
      'an uncaught exception thrown from a timer while the entry awaits',
      "setTimeout(() => { throw new Error('timer' + ' boom') }, 10); await new Promise(() => {})",
      1,
      'code 1',
    ],
    ['process.abort() while the entry awaits', 'await new Promise((r) => setTimeout(r, 10)); process.abort()', 134, 'killed by SIGABRT'],
  ])('%s: reported, exit code passed through, nothing left behind', async (_name, entry, code, how) => {
    const a = startAnode(['run', path.join(FIXTURES, 'echo.js'), '0']);
    await a.waitForPrompt();
    await a.waitFor('The echo service is being served on', { stream: 'stdout' }); // may come after the prompt
    const pid = await a.programPid();
    const ports = (await processTable().listening(pid)).map((s) => s.port);
    expect(ports).toHaveLength(2); // the echo service and the inspector
    expect(pidsWith('anode-watchdog', String(pid))).toHaveLength(1);
    const from = a.stderr.length;
    const t0 = Date.now();
    a.send(entry);
    const exit = await a.exited;
    const ms = Date.now() - t0;
    expect(exit).toEqual({ code, signal: null });
    const said = a.stderr.slice(from);
    // One line from anode, the last; the program's own output (a thrown error's stack) may come before it.
    expect(said.match(/^(> )*anode: .*$/gm)).toEqual([expect.stringMatching(`anode: the program exited \\(${how.replace(/[()]/g, '\\$&')}\\)$`)]);
    expect(said).toMatch(/anode: [^\n]*\n$/);
    expect(said).not.toMatch(/\n\s+at .*(dist|node_modules|chrome-remote-interface)\//);
    if (code === 1) expect(said).toContain('Error: timer boom');
    expect(isAlive(pid)).toBe(false);
    await waitUntil(() => pidsWith('anode-watchdog', String(pid)).length === 0, () => 'the watchdog outlived the program');
    for (const port of ports) expect(await accepts(port)).toBe(false);
    console.info(`[faults] ${_name}: anode said "${said.trim().split('\n').pop()}" and exited ${exit.code} after ${ms} ms`);
  });
});
