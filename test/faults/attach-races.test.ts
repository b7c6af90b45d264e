// Faults around `anode attach PID` (`npm run test:faults`): the pid exiting or changing between anode's
// checks and its SIGUSR1, two anodes attaching to one program at once, and a second debugger (DevTools
// style) beside anode that pauses the program. Each asserts what anode does; figures go to stdout.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkNodeProcess, signalInspector } from '../../dist/program/attach.js';
import { NoSuchProcessError, ProcessChangedError } from '../../dist/errors.js';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { anode, attachTwice, bothWork, echoLine, freePort, noWatchdogFor, opener, readExe, startEcho } from '../helpers/attach.js';
import { pidsWith, rawDebugger } from '../helpers/faults.js';
import { ROOT } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget, type TargetProcess } from '../helpers/target.js';
import { waitUntil } from '../helpers/wait.js';

const NODE24 = `${ROOT}test/node-versions/node_modules/node24/bin/node`;
const IDLE = "console.log('up'); setInterval(() => {}, 1000)";

/** The single line anode printed on stderr, checked to be one `anode: ` line without a stack. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('attach races: the pid between the check and SIGUSR1', () => {
  it('the program exits between the check and the signal: "it exited", nothing signalled', async () => {
    const target = startTarget(['-e', IDLE]);
    await target.waitFor('up');
    const checked = await checkNodeProcess(target.pid);
    target.kill('SIGKILL');
    await target.exited;
    expect(() => signalInspector(checked)).toThrow(NoSuchProcessError);
    expect(() => signalInspector(checked)).toThrow(`cannot attach to pid ${target.pid}: it exited before anode could signal it`);
  });

  it('the pid names another process than the one checked (a reused pid): refused, that process not signalled', async () => {
    // Same executable and command line, started later: only the start time tells them apart.
    const first = startTarget(['-e', IDLE]);
    await first.waitFor('up');
    const checked = await checkNodeProcess(first.pid);
    const second = startTarget(['-e', `process.on('SIGUSR1', () => console.log('signalled')); ${IDLE}`]);
    const later = startTarget(['-e', IDLE]);
    await Promise.all([second.waitFor('up'), later.waitFor('up')]);
    const reused = { ...checked, pid: later.pid };
    expect(() => signalInspector(reused)).toThrow(ProcessChangedError);
    expect(() => signalInspector(reused)).toThrow(/it is no longer the process anode checked \(that process exited and the pid now names a newer one\); it was not signalled/);
    // The other identity fields on their own: another command line, another executable.
    const otherArgs = await checkNodeProcess(second.pid);
    expect(() => signalInspector({ ...otherArgs, argv: checked.argv })).toThrow(/its command line is now: .*signalled/);
    expect(() => signalInspector({ ...otherArgs, exe: '/usr/bin/node-old' })).toThrow(/it now runs /);
    expect(second.stdout).not.toContain('signalled');
    expect(isAlive(later.pid)).toBe(true);
  });

  it('the program exec()s another executable under the same pid (Node 24 process.execve): refused, not killed', async (ctx) => {
    if (!existsSync(NODE24)) return ctx.skip('the Node 24 binary is not installed (npm run nodes)');
    const sleep = ['/bin/sleep', '/usr/bin/sleep'].find((p) => existsSync(p));
    if (!sleep) return ctx.skip('no sleep binary to exec');
    const cases: { argv: string[]; expect: RegExp }[] = [
      // Another program, which SIGUSR1 would kill (default action).
      { argv: [sleep, 'sleep', '30'], expect: /it now runs .*sleep/ },
      // The same node binary, another program: same executable and start time, another command line.
      { argv: [NODE24, NODE24, '-e', 'setInterval(() => {}, 1000)'], expect: /its command line is now: .*node -e/ },
    ];
    for (const c of cases) {
      const [file, ...argv] = c.argv;
      const target = startTarget(['-e', `${IDLE}; process.stdin.once('data', () => process.execve(${JSON.stringify(file)}, ${JSON.stringify(argv)}))`], { command: NODE24 });
      await target.waitFor('up');
      const checked = await checkNodeProcess(target.pid);
      target.child.stdin.write('exec\n');
      // Until the exec completes, /proc may show the old image or nothing: wait for the new one.
      await waitUntil(() => readExe(target.pid) === realpathSync(file!) && readArgv(target.pid) === argv.join(' '), () => `pid ${target.pid} did not exec ${file}`);
      expect(() => signalInspector(checked)).toThrow(ProcessChangedError);
      expect(() => signalInspector(checked)).toThrow(c.expect);
      expect(isAlive(target.pid)).toBe(true);
      expect(await Promise.race([target.exited, new Promise((r) => setImmediate(r, 'running'))])).toBe('running');
    }
  });

  it('end to end: the program exits when signalled, or as its inspector opens: one line, exit 1, no stack', async () => {
    const programs = {
      'exits on SIGUSR1': "process.on('SIGUSR1', () => process.exit(6)); console.log('up'); setInterval(() => {}, 1000)",
      'exits as the inspector opens': "setInterval(() => { if (require('inspector').url()) process.exit(5) }, 1); console.log('up')",
    };
    for (const [what, source] of Object.entries(programs)) {
      const target = startTarget(['--inspect-port=0', '-e', source]);
      await target.waitFor('up');
      const a = startAnode(['attach', String(target.pid), '-e', '1']);
      const { code } = await a.exited;
      expect(code, what).toBe(1);
      const line = oneLine(a.stderr);
      expect(line, what).toMatch(new RegExp(`^anode: cannot attach to pid ${target.pid}: it exited (before anode could signal it|while its inspector was being opened|while anode was (connecting to its inspector|attaching))`));
      expect((await target.exited).code, what).toBe(what === 'exits on SIGUSR1' ? 6 : 5);
      await noWatchdogFor(target.pid);
      console.info(`[faults] attach to a program that ${what}: ${line}`);
    }
  });
});

describe('attach races: two anodes attach to one program at once', () => {
  it('--inspect-port=0: both attach; either may leave first; the last closes the inspector', async () => {
    for (const order of ['opener first', 'joiner first'] as const) {
      const { target, port } = await startEcho(['--inspect-port=0']);
      const [a, b, ms] = await attachTwice(target.pid);
      await bothWork(a, b, target, port);
      const [openedIt, joined] = opener(a, b);
      const [first, last] = order === 'opener first' ? [openedIt, joined] : [joined, openedIt];
      const inspectPort = Number((await a.waitFor(/(?:opened its inspector on|inspector) 127\.0\.0\.1:(\d+)/))[1]);
      first.end();
      expect((await first.exited).code).toBe(0);
      // The other one is still connected: the inspector stays open for it, and it works.
      expect(await target.ports()).toEqual([port, inspectPort].sort((x, y) => x - y));
      expect(await last.evaluate('shared + 1')).toBe('43');
      last.end();
      expect((await last.exited).code).toBe(0);
      await target.waitForPorts([port]);
      expect(isAlive(target.pid)).toBe(true);
      expect(await echoLine(port, 'after both')).toBe('after both\n');
      await noWatchdogFor(target.pid);
      console.info(`[faults] two anodes attached at once (--inspect-port=0, ${order} leaves): both prompts after ${ms} ms; inspector closed by the last`);
    }
  });

  it('an inspector a SIGUSR1 from someone else opened: anode says so, and leaves it open (an anode-opened one, closed: the control)', async () => {
    // On a port of its own (on port 0, an inspector anode did not see open has a port it cannot tell apart).
    const inspectPort = await freePort();
    const { target, port } = await startEcho([`--inspect-port=${inspectPort}`]);
    process.kill(target.pid, 'SIGUSR1');
    const open = [port, inspectPort].sort((x, y) => x - y);
    await target.waitForPorts(open);
    const [a, b] = await attachTwice(target.pid);
    for (const x of [a, b]) expect(x.stderr).toMatch(/opened by (a SIGUSR1 before anode came|another anode)/);
    expect(await a.evaluate('process.pid')).toBe(String(target.pid));
    a.end();
    b.end();
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    await noWatchdogFor(target.pid);
    expect(await target.ports()).toEqual(open);
    expect(await echoLine(port, 'still')).toBe('still\n');
    // The control: an inspector anode opened is closed when it leaves.
    const other = await startEcho(['--inspect-port=0']);
    const c = startAnode(['attach', String(other.target.pid)]);
    await c.waitForPrompt();
    expect(c.stderr).toContain('anode opened its inspector');
    c.end();
    expect((await c.exited).code).toBe(0);
    await other.target.waitForPorts([other.port]);
  });

  it('pairs of one-shot anodes attaching and leaving with overlaps: every attach works, nothing left open', async () => {
    const { target, port } = await startEcho(['--inspect-port=0']);
    // The second of each pair starts this long after the first: it meets the first attaching, evaluating,
    // leaving (two leaving at once, or one attaching while the other closes the inspector), or gone.
    const offsets = [0, 60, 120, 200, 300];
    const times: number[] = [];
    for (const offset of offsets) {
      const t0 = Date.now();
      const runs = await Promise.all([
        anode(['attach', String(target.pid), '-e', 'process.pid']),
        new Promise((r) => setTimeout(r, offset)).then(() => anode(['attach', String(target.pid), '-e', 'process.pid'])),
      ]);
      times.push(Date.now() - t0);
      for (const r of runs) expect(r, `offset ${offset} ms: ${r.stderr}`).toMatchObject({ code: 0, stdout: `${target.pid}\n` });
      await target.waitForPorts([port]).catch((err: Error) => {
        throw new Error(`${err.message} (offset ${offset} ms)\n${runs.map((r) => r.stderr).join('---\n')}`);
      });
      await noWatchdogFor(target.pid);
    }
    expect(await echoLine(port, 'after')).toBe('after\n');
    console.info(`[faults] ${offsets.length} overlapping pairs of attach -e: all ${offsets.length * 2} attached, inspector closed after each pair; pair time ${Math.min(...times)}-${Math.max(...times)} ms`);
  });

  it('killed with SIGKILL while another anode is attached: the inspector stays for it, and the last one closes it', async () => {
    const { target, port } = await startEcho(['--inspect-port=0']);
    const [a, b] = await attachTwice(target.pid);
    const [openedIt, joined] = opener(a, b);
    openedIt.child.kill('SIGKILL');
    await openedIt.exited;
    await waitUntil(() => pidsWith('close-watchdog-main.js', String(target.pid)).length === 1, () => "the killed anode's watchdog did not end");
    expect(await joined.evaluate('process.pid')).toBe(String(target.pid));
    joined.end();
    expect((await joined.exited).code).toBe(0);
    await target.waitForPorts([port]);
    await noWatchdogFor(target.pid);
    expect(await echoLine(port, 'alive')).toBe('alive\n');
  });
});

describe('attach races: a DevTools-style debugger beside anode', () => {
  it('both work, neither sees the other; a pause by the other is reported, Ctrl-C gives the prompt back and leaves it paused', async () => {
    const { target, port } = await startEcho(['--inspect-port=0']);
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const inspectPort = Number((await a.waitFor(/opened its inspector on 127\.0\.0\.1:(\d+)/))[1]);
    const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const devtools = await rawDebugger(list[0]!.webSocketDebuggerUrl);
    for (const m of ['Runtime.enable', 'Debugger.enable', 'Profiler.enable', 'Runtime.runIfWaitingForDebugger']) await devtools.send(m);
    // Both evaluate; anode shows nothing of the other's traffic.
    const theirs = (await devtools.send('Runtime.evaluate', { expression: "'devtools-' + 'only'" })) as { result: { value: string } };
    expect(theirs.result.value).toBe('devtools-only');
    expect(await a.evaluate('await new Promise((r) => setTimeout(r, 10, 6 * 7))')).toBe('42');
    expect(a.stdout + a.stderr).not.toMatch(/devtools-only|Debugger\.|Profiler\.|scriptParsed/);

    // The other debugger pauses the program (at its next statement: a client of the echo server makes it
    // run one); an entry cannot complete: anode says why.
    await devtools.send('Debugger.pause');
    const served = echoLine(port, 'during the pause');
    await devtools.waitForEvent('Debugger.paused');
    let from = a.stderr.length;
    const t0 = Date.now();
    a.send("globalThis.ranLater = 'yes', 'done'");
    await a.waitFor('anode: the program is paused in another debugger; the entry runs when it resumes (Ctrl-C stops waiting)', { from });
    const noticeMs = Date.now() - t0;
    // Ctrl-C gives the prompt back, and does not end the other debugger's pause.
    const t1 = Date.now();
    a.kill('SIGINT');
    await a.waitFor('Interrupted: stopped waiting; the program is paused in another debugger, which was left alone: the entry still runs when it resumes.', { from });
    await a.waitForPrompt();
    const promptMs = Date.now() - t1;
    expect(devtools.events).not.toContain('Debugger.resumed');
    // Still paused: an entry that needs the event loop waits; the other debugger resumes; it completes.
    from = a.stderr.length;
    a.send('await Promise.resolve(globalThis.ranLater)');
    await a.waitFor('anode: the program is paused in another debugger', { from });
    await devtools.send('Debugger.resume');
    await a.waitFor("'yes'", { from });
    await a.waitForPrompt();
    expect(await served).toBe('during the pause\n');
    expect(await a.evaluate('process.pid')).toBe(String(target.pid));
    expect(await echoLine(port, 'resumed')).toBe('resumed\n');
    expect(a.stdout + a.stderr).not.toContain('devtools-only');
    console.info(`[faults] program paused by another debugger: anode said so after ${noticeMs} ms; Ctrl-C prompt back after ${promptMs} ms; pause left to its owner`);

    // anode leaves first: the inspector it opened closes all the same (a connection says nothing about who
    // holds it), anode says so; the other debugger is cut off; the program keeps running.
    a.end();
    await a.waitFor(`closing the inspector anode opened on 127.0.0.1:${inspectPort} although 1 other connection is open to it`);
    expect((await a.exited).code).toBe(0);
    await target.waitForPorts([port]);
    devtools.close();
    await noWatchdogFor(target.pid);
    expect(isAlive(target.pid)).toBe(true);
  });
});


describe('attach races: the inspector closed under anode', () => {
  it('another party closes the inspector while anode is attached: anode says the program keeps running', async (ctx) => {
    // Node 20 can crash when its inspector closes under a connected client (see cli/attach.ts): Node 24 here.
    if (!existsSync(NODE24)) return ctx.skip('the Node 24 binary is not installed (npm run nodes)');
    const target = startTarget(['--inspect-port=0', '-e', `${IDLE}; process.stdin.on('data', () => require('node:inspector').close())`], { command: NODE24 });
    await target.waitFor('up');
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    target.child.stdin.write('close\n');
    await a.waitFor(`anode: the inspector connection closed; the program (pid ${target.pid}) is still running`);
    expect((await a.exited).code).toBe(1);
    expect(a.stderr).not.toContain('the program exited');
    expect(isAlive(target.pid)).toBe(true);
    await noWatchdogFor(target.pid);
  });
});

function readArgv(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}
