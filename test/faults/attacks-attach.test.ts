// Attacks on `anode attach PID` (SECURITY.md, "Attacks tried"): a bare TCP connection to the inspector
// anode opened, a reader that leaves early (EPIPE), another user reading the watchdog, and the window in
// which the inspector opened by SIGUSR1 is reachable. Figures go to stdout as `[attack] ...` lines.
import { readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { processTable } from '../../src/program/process-table.js';

const ownListening = (pid: number) => processTable().listening(pid);
import { startAnode } from '../helpers/anode.js';
import { echoLine, startEcho } from '../helpers/attach.js';
import { pidsWith, rawDebugger } from '../helpers/faults.js';
import { otherUser } from '../helpers/other-user.js';
import { isAlive } from '../helpers/processes.js';
import { waitUntil } from '../helpers/wait.js';

/** Pids of anode's close watchdogs guarding `pid`. */
function watchdogsOf(pid: number): number[] {
  return pidsWith('close-watchdog-main.js\0', `\0${pid}\0`);
}


describe('attack: keep the inspector anode opened open', () => {
  it('a bare TCP connection held to it during the attach does not keep it open: anode closes it and says so', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const inspectPort = Number((await a.waitFor(/opened its inspector on 127\.0\.0\.1:(\d+)/))[1]);
    // The attacker: one TCP connection that sends nothing (it used to count as "another debugger").
    const bare = net.connect(inspectPort, '127.0.0.1');
    bare.on('error', () => undefined);
    await new Promise((r) => bare.once('connect', r));
    a.end();
    await a.waitFor(`closing the inspector anode opened on 127.0.0.1:${inspectPort} although 1 other connection is open to it`);
    expect((await a.exited).code, a.output()).toBe(0);
    await target.waitForPorts([port]);
    await waitUntil(() => bare.destroyed || bare.readableEnded, () => 'the bare connection was not cut');
    bare.destroy();
    // Nothing left that hands out the URL; the program runs on.
    const refused = await fetch(`http://127.0.0.1:${inspectPort}/json/list`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
    expect(watchdogsOf(target.pid)).toEqual([]);
    expect(await echoLine(port, 'after')).toBe('after\n');
    console.info('[attack] bare TCP connection to the inspector during attach: inspector closed anyway (0 left open)');
  });
});

describe('attack: a reader that leaves early (EPIPE)', () => {
  for (const stream of ['stdout', 'stderr'] as const) {
    it(`\`anode attach PID -e ... | head -1\` on ${stream}: no stack, the usual exit code, the inspector closed`, async () => {
      const { target, port } = await startEcho();
      // Lots of output on the stream, in several writes; the reader takes the first chunk and leaves.
      const big = stream === 'stdout' ? ["'x'.repeat(1 << 20)", "'x'.repeat(1 << 20)", '2'] : ["throw new Error('y'.repeat(1 << 20))"];
      const a = startAnode(['attach', String(target.pid), '-e', '1', ...big.flatMap((e) => ['-e', e])]);
      const source = a.child[stream];
      await new Promise((r) => source.once('data', r));
      source.destroy();
      const { code, signal } = await a.exited;
      expect(signal).toBeNull();
      // The code it would have had: 0 for values, 1 for the entry that threw.
      expect(code, a.output()).toBe(stream === 'stdout' ? 0 : 1);
      const other = stream === 'stdout' ? a.stderr : a.stdout;
      expect(other).not.toMatch(/\n\s+at |internal error|EPIPE/);
      await target.waitForPorts([port]);
      await waitUntil(() => watchdogsOf(target.pid).length === 0, () => 'a watchdog is left');
      expect(isAlive(target.pid)).toBe(true);
      expect(await echoLine(port, 'after')).toBe('after\n');
    });
  }

  it('SIGHUP during a one-shot `-e` (the terminal went away): the entry is stopped, the inspector closed', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid), '-e', "process.stdout.write('waiting\\n'), await new Promise(() => {})"]);
    await target.waitFor('waiting');
    process.kill(a.pid, 'SIGHUP');
    const { code, signal } = await a.exited;
    expect(signal, a.output()).toBeNull();
    expect(code).toBe(130);
    await target.waitForPorts([port]);
    await waitUntil(() => watchdogsOf(target.pid).length === 0, () => 'a watchdog is left');
    expect(await echoLine(port, 'after')).toBe('after\n');
  });

  it('stderr closed before the console starts: anode hangs up cleanly and closes the inspector', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    a.child.stderr.destroy();
    // Keeps stdin open: only the broken stderr can end it.
    await waitUntil(async () => (await ownListening(target.pid)).length === 2, () => 'the inspector never opened');
    const { code, signal } = await a.exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    await target.waitForPorts([port]);
    expect(isAlive(target.pid)).toBe(true);
  });
});

describe('attack: another local user reads what the watchdog holds', () => {
  it("the watchdog's command line carries no URL nor secret; its pipe is not readable by another user", async (ctx) => {
    const user = otherUser();
    const { target } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const url = (await a.evaluate("require('node:inspector').url()")).replace(/^'|'$/g, '');
    const uuid = new URL(url).pathname.slice(1);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    const [watchdog] = await waitUntil(() => {
      const w = watchdogsOf(target.pid);
      return w.length === 1 ? w : undefined;
    }, () => 'no watchdog');
    const cmdline = readFileSync(`/proc/${watchdog}/cmdline`, 'utf8');
    expect(cmdline).not.toContain(uuid);
    expect(cmdline).not.toContain('ws://');
    expect(cmdline).not.toContain('anode.openedInspector');
    // Positive control: the URL is in the pipe's owner's reach (anode's own user), through fd 0.
    expect(readlinkSync(`/proc/${watchdog}/fd/0`)).toMatch(/^(pipe|socket):/);
    if (typeof user === 'string') {
      a.end();
      await a.exited;
      return ctx.skip(user);
    }
    const probe = await user.node([
      '-e',
      `const fs = require('fs'); for (const f of ['cmdline', 'environ', 'fd/0']) { try { const t = f === 'fd/0' ? fs.readlinkSync('/proc/${watchdog}/fd/0') : fs.readFileSync('/proc/${watchdog}/' + f, 'latin1'); console.log(f, t.includes(${JSON.stringify(uuid)}) ? 'SECRET' : 'readable'); } catch (e) { console.log(f, e.code); } }`,
    ]);
    expect(probe.stdout).toMatch(/^cmdline readable$/m);
    expect(probe.stdout).toMatch(/^environ EACCES$/m);
    expect(probe.stdout).toMatch(/^fd\/0 EACCES$/m);
    expect(probe.stdout).not.toContain('SECRET');
    a.end();
    expect((await a.exited).code).toBe(0);
  });
});

describe('attack: the window of an inspector opened by SIGUSR1', () => {
  it('measured: from the port appearing to it closing, for `-e`, and how soon another client can run code in it', async () => {
    const runs: { openMs: number; reachMs: number | undefined }[] = [];
    for (let i = 0; i < 3; i++) {
      const { target, port } = await startEcho();
      const a = startAnode(['attach', String(target.pid), '-e', 'process.pid']);
      // The attacker polls the program's listening sockets as fast as it can (as any user can through
      // /proc/net/tcp and a connect), then asks /json/list and runs code over the URL it hands out.
      let opened: number | undefined;
      let inspectPort: number | undefined;
      let reachMs: number | undefined;
      let attempt: Promise<void> | undefined;
      for (;;) {
        const ports = (await ownListening(target.pid).catch(() => [])).map((s) => s.port).filter((p) => p !== port);
        const now = performance.now();
        if (ports.length > 0 && opened === undefined) {
          opened = now;
          inspectPort = ports[0]!;
          attempt = (async () => {
            try {
              const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
              const devtools = await rawDebugger(list[0]!.webSocketDebuggerUrl);
              const r = (await devtools.send('Runtime.evaluate', { expression: '6 * 7' })) as { result: { value: number } };
              if (r.result.value === 42) reachMs = performance.now() - opened!;
              devtools.close();
            } catch {
              // closed before the attacker got there
            }
          })();
        }
        if (opened !== undefined && ports.length === 0) {
          runs.push({ openMs: now - opened, reachMs });
          break;
        }
        if (!isAlive(a.pid) && opened === undefined && (await a.exited).code !== null) throw new Error(`anode ended first\n${a.output()}`);
        await new Promise((r) => setImmediate(r));
      }
      await attempt;
      expect((await a.exited).code, a.output()).toBe(0);
      expect(a.stdout).toBe(`${target.pid}\n`);
      expect(inspectPort).toBeDefined();
      target.kill();
      await target.exited;
    }
    const open = runs.map((r) => Math.round(r.openMs)).sort((x, y) => x - y);
    const reach = runs.map((r) => (r.reachMs === undefined ? 'never' : `${Math.round(r.reachMs)}`));
    console.info(`[attack] attach by pid -e: inspector reachable for ${open.join(', ')} ms (sorted); another client ran code after ${reach.join(', ')} ms`);
    // The window is bounded: the inspector always closes.
    expect(runs).toHaveLength(3);
  });
});
