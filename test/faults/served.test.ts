// Faults in served mode (`npm run test:faults`): hostile clients beside 20 busy ones, anode SIGKILLed while
// serving (`run --serve` and `attach --serve`), and the program exiting by itself under clients at every
// stage (mid-evaluation, mid-entry, at the token prompt). Each asserts what anode does; figures go to stdout.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { echoLine, startEcho } from '../helpers/attach.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { accepts, fdCount, isGone, pidsWith, rssKb, sampleRss, seededBytes } from '../helpers/faults.js';
import { isAlive } from '../helpers/processes.js';
import { waitUntil } from '../helpers/wait.js';

const echo = 'fixtures/echo.js';
const MiB = 1024 * 1024;

const sockets: { destroy(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

/** Starts `anode ...args` with a served console; resolves once both the console and the echo port are up. */
async function serve(args: string[], env?: NodeJS.ProcessEnv) {
  const a = startAnode(args, env ? { env } : {});
  const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
  return { a, address, servedPort: Number(address.split(':').pop()) };
}

async function programPortOf(a: AnodeProcess): Promise<number> {
  return Number((await a.waitFor(/served on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' }))[1]);
}

/** A line client, destroyed after the test; with `prompt`, once its first prompt has arrived. */
async function client(address: string, prompt = true): Promise<LineClient> {
  const c = await connectClient(address);
  sockets.push(c);
  if (prompt) await c.waitFor(/\n> $/);
  return c;
}

/** Writes `data` in pieces, waiting for each to drain (the server reads at its own pace). */
async function writeAll(socket: net.Socket, data: Buffer | string, piece = 256 * 1024): Promise<void> {
  for (let at = 0; at < data.length; at += piece) {
    if (!socket.write(data.slice(at, at + piece))) await new Promise((r) => socket.once('drain', r));
  }
}

/** The command line of the watchdog shell over `pid` (arguments end with NUL: 123 never matches 1234). */
function watchdogOf(pid: number): string {
  return `anode-watchdog\0${pid}\0`;
}

/** The `anode: ...` lines a client received, apart from its banner. */
function notices(text: string): string[] {
  return text.split('\n').filter((l) => /^(> |\.\.\. )*anode: /.test(l) && !l.includes('anode: console into'));
}

describe('faults: served consoles', () => {
  it('hostile clients beside 20 busy ones: a 10 MB line, random bytes, a runaway entry, a reader that never reads', async () => {
    const { a, address } = await serve(['run', '--serve', '0', echo, '0']);
    const programPort = await programPortOf(a);
    const fdBefore = fdCount(a.pid);

    // 20 well-behaved clients, each with its own tag in the shared scope.
    const good = await Promise.all(Array.from({ length: 20 }, () => client(address)));
    const watcher = await client(address);
    await Promise.all(good.map(async (c, i) => expect(await c.evaluate(`let tag${i} = 'client-${i}-'`)).toBe('undefined')));
    const rssBefore = rssKb(a.pid);
    const rss = sampleRss(a.pid);

    let hostile = true;
    const rounds = good.map(() => 0);
    const latencies: number[] = [];
    const busy = Promise.all(
      good.map(async (c, i) => {
        // They keep evaluating (and checking each answer) until the hostile clients are done.
        for (let k = 0; hostile || k < 3; k++) {
          const t0 = Date.now();
          expect(await c.evaluate(`await new Promise((r) => setTimeout(r, ${k % 4}, tag${i} + ${k}))`)).toBe(`'client-${i}-${k}'`);
          if (hostile) latencies.push(Date.now() - t0);
          if (k % 5 === 4) expect(await c.evaluate('_')).toBe(`'client-${i}-${k}'`);
          rounds[i] = k + 1;
        }
      }),
    );
    /** Waits until every well-behaved client has answered `n` more entries (the load goes on meanwhile). */
    const moreRounds = (n: number): Promise<unknown> => {
      const from = [...rounds];
      return waitUntil(() => rounds.every((r, i) => r >= from[i]! + n), () => `rounds ${rounds.join(' ')}`, 20_000);
    };

    // 10 MB on one line, with no newline for a while: cut at the socket, reported once the line ends.
    const longLine = async (): Promise<LineClient> => {
      const c = await client(address);
      await writeAll(c.socket, Buffer.alloc(10 * MiB, 'a'));
      await moreRounds(3); // the fault itself: the line stays open while the others go on
      expect(notices(c.text)).toEqual([]);
      c.socket.write('\n');
      await c.waitFor(/anode: line too long \(10485760 bytes, limit 1048576\); discarded\n/);
      expect(await c.evaluate("'long-' + 'ok'")).toBe("'long-ok'");
      return c;
    };

    // 16 KiB of seeded random bytes (each garbage line is evaluated, behind the others' entries), with NUL, invalid UTF-8, lone CR, ANSI escapes, Ctrl-C and Ctrl-D.
    const randomBytes = async (): Promise<LineClient> => {
      const c = await client(address);
      const nasty = ['\0', '\xff\xfe\xc3\x28', '\r', '\x1b[2J\x1b[31m', '\x03', '\x04', '\x1b]0;title\x07'].map((s) => Buffer.from(s, 'latin1'));
      const parts: Buffer[] = [];
      const noise = seededBytes(0x5eed, 16 * 1024);
      for (let at = 0, n = 0; at < noise.length; at += 512, n++) parts.push(noise.subarray(at, at + 512), nasty[n % nasty.length]!);
      await writeAll(c.socket, Buffer.concat(parts));
      c.send('');
      c.send('.break');
      c.send("'random-' + 'ok'");
      await c.waitFor(/'random-ok'\n> $/);
      expect(c.text).toMatch(/Uncaught SyntaxError/);
      expect(c.text).not.toMatch(/\n\s+at /); // one line per error, no anode stack
      // Nothing raw comes back: no NUL, CR, escape or other control byte, whatever was sent.
      expect(c.text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      for (const l of notices(c.text)) expect(l).toMatch(/anode: (line|entry) too long \(.*\); discarded$/);
      return c;
    };

    // An open template literal, then 150 lines of 4000 characters: discarded once its re-checks pass the
    // bound, instead of re-parsing an ever longer entry on every line (3 MB held anode for 46 s before).
    const runawayEntry = async (): Promise<LineClient> => {
      const c = await client(address);
      await writeAll(c.socket, `\`\n${`${'y'.repeat(3999)}\n`.repeat(150)}.break\n`);
      c.send("'entry-' + 'ok'");
      await c.waitFor(/'entry-ok'\n> $/);
      expect(notices(c.text)).toEqual([
        expect.stringMatching(/anode: entry too long \(\d+ lines, \d+ characters; too many lines: send it in fewer, longer lines\); discarded$/),
      ]);
      return c;
    };

    // A reader that never reads, asking for 1 MB of output again and again: its own console stops.
    const nonReader = async (): Promise<{ socket: net.Socket; asked: number; settled: number }> => {
      const [host, port] = address.split(':');
      const socket = net.connect({ host: host!, port: Number(port) });
      sockets.push(socket);
      socket.pause();
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      const asked = 200;
      const entry = "globalThis.slow = (globalThis.slow ?? 0) + 1, Array(100).fill('x'.repeat(1e6))";
      for (let i = 0; i < asked; i++) socket.write(`${entry}\n`);
      // Settled: the count stays the same while the others answer 3 more entries each.
      let settled = -1;
      for (;;) {
        const seen = Number(await watcher.evaluate('globalThis.slow ?? 0'));
        if (seen === settled && seen > 0) break;
        settled = seen;
        await moreRounds(3);
      }
      return { socket, asked, settled };
    };

    const t0 = Date.now();
    const [long, random, runaway, slow] = await Promise.all([longLine(), randomBytes(), runawayEntry(), nonReader()]).finally(() => {
      hostile = false;
    });
    const hostileMs = Date.now() - t0;
    await busy;
    const peakKb = rss.stop() - rssBefore;
    const afterKb = rssKb(a.pid) - rssBefore;

    // Every answer was checked; now no client saw another's tag (the slow reader read nothing).
    good.forEach((c, i) => {
      const others = [...c.text.matchAll(/client-(\d+)-/g)].map((m) => Number(m[1])).filter((n) => n !== i);
      expect(others).toEqual([]);
    });
    for (const c of [long, random, runaway]) expect(c.text).not.toMatch(/client-\d+-/);
    // The non-reader is stalled, not dropped: its entries wait for it (README, "Limits").
    expect(slow.settled).toBeGreaterThan(0);
    expect(slow.settled).toBeLessThan(slow.asked);
    expect(slow.socket.destroyed).toBe(false);
    expect(a.stderr).not.toMatch(/dropped client|client error/);
    expect(peakKb, `anode's RSS grew by ${peakKb} KiB at its peak`).toBeLessThan(150 * 1024);

    // Everyone leaves: anode's descriptors return to what it held before the first client.
    for (const c of [...good, watcher, long, random, runaway]) c.destroy();
    slow.socket.destroy();
    const t1 = Date.now();
    await waitUntil(() => fdCount(a.pid) <= fdBefore, () => `anode holds ${fdCount(a.pid)} descriptors, had ${fdBefore}`, 15_000);
    const fdMs = Date.now() - t1;
    // And it keeps serving: the console and the program's own port.
    const after = await client(address);
    expect(await after.evaluate('6 * 7')).toBe('42');
    expect(await echoLine(programPort, 'still serving')).toBe('still serving\n');
    expect(a.stderr).toMatch(/^(anode: warning: no token: every local user [^\n]*\n)?The console is being served on \S+\n$/);

    const sorted = latencies.sort((x, y) => x - y);
    console.info(
      `[faults] 20 busy clients beside 4 hostile ones (10 MiB line, 16 KiB random bytes, 600 KB runaway entry, non-reader asking ${slow.asked} x 1 MB): ` +
        `${rounds.reduce((x, y) => x + y, 0)} answers all correct, median ${sorted[sorted.length >> 1]} ms, max ${sorted.at(-1)} ms during ${hostileMs} ms of attack; ` +
        `${random.text.match(/Uncaught /g)?.length ?? 0} random lines answered with one-line errors; non-reader stalled after ${slow.settled} entries; anode RSS +${Math.round(peakKb / 1024)} MiB at peak, +${Math.round(afterKb / 1024)} MiB after ` +
        `(baseline ${Math.round(rssBefore / 1024)} MiB); descriptors back to ${fdBefore} ${fdMs} ms after all left`,
    );
    a.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
  }, 60_000);

  it('anode SIGKILLed while serving `run`: the watchdog stops the program, both ports close, nothing is left', async () => {
    const { a, address, servedPort } = await serve(['run', '--serve', '0', echo, '0']);
    const programPort = await programPortOf(a);
    const clients = await Promise.all(Array.from({ length: 6 }, () => client(address)));
    const pid = Number(await clients[0]!.evaluate('process.pid'));
    expect(pidsWith(watchdogOf(pid))).toHaveLength(1);
    // Two wait on promises, one spins in the program (so its JavaScript is busy when anode dies), the rest idle.
    clients[1]!.send('await new Promise(() => {})');
    clients[2]!.send('await new Promise((r) => setTimeout(r, 60000))');
    clients[3]!.send("process.stdout.write('spinning\\n'); while (true) {}");
    await a.waitFor('spinning', { stream: 'stdout' });

    const t0 = Date.now();
    process.kill(a.pid, 'SIGKILL'); // anode only: a.kill() would kill the program too
    await a.exited;
    await Promise.all(clients.map((c) => c.closed));
    await waitUntil(() => isGone(pid), () => `program ${pid} outlived anode`, 10_000);
    const stoppedMs = Date.now() - t0;
    // The watchdog leaves once the program is gone (it used to sleep its 3 s grace out regardless).
    await waitUntil(() => pidsWith(watchdogOf(pid)).length === 0, () => 'the watchdog outlived the program', 2500);
    const watchdogMs = Date.now() - t0;
    expect(await accepts(servedPort)).toBe(false);
    expect(await accepts(programPort)).toBe(false);
    console.info(
      `[faults] anode SIGKILLed serving 6 clients (one spinning in the program): program stopped ${stoppedMs} ms later, watchdog gone after ${watchdogMs} ms, both ports closed`,
    );
  });

  it('anode SIGKILLed while serving `attach`: the program keeps running and serving, the inspector anode opened closes', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', '--serve', '0', String(target.pid)]);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const servedPort = Number(address.split(':').pop());
    const clients = await Promise.all(Array.from({ length: 4 }, () => client(address)));
    expect(await clients[0]!.evaluate('process.pid')).toBe(String(target.pid));
    const inspectPort = (await target.ports()).find((p) => p !== port)!;
    expect(await target.ports()).toEqual([port, inspectPort].sort((x, y) => x - y));
    expect(pidsWith('close-watchdog-main', `\0${inspectPort}\0`)).toHaveLength(1);
    // Entries in flight when anode dies: a pending await and a timer.
    clients[1]!.send('await new Promise(() => {})');
    clients[2]!.send("globalThis.late = 0; await new Promise((r) => setTimeout(r, 200)); globalThis.late = 1; 'late'");
    await waitUntil(async () => (await clients[0]!.evaluate('globalThis.late')) === '0', () => 'the timed entry never started');

    const t0 = Date.now();
    process.kill(a.pid, 'SIGKILL');
    await a.exited;
    await Promise.all(clients.map((c) => c.closed));
    await target.waitForPorts([port]);
    const closedMs = Date.now() - t0;
    expect(isAlive(target.pid)).toBe(true);
    expect(await echoLine(port, 'after anode')).toBe('after anode\n');
    expect(await accepts(servedPort)).toBe(false);
    await waitUntil(() => pidsWith('close-watchdog-main', `\0${inspectPort}\0`).length === 0, () => 'the close watchdog outlived anode');
    // The program is whole: the entry cut off with anode still ran to its end inside it, and a new
    // console can attach again (anode opens a fresh inspector).
    const b = startAnode(['attach', '-e', 'globalThis.late', String(target.pid)]);
    expect((await b.exited).code).toBe(0);
    expect(b.stdout).toBe('1\n');
    await target.waitForPorts([port]);
    console.info(`[faults] anode SIGKILLed serving \`attach\` to 4 clients: the inspector it opened closed ${closedMs} ms later; the program kept serving`);
  });

  it('the program exits by itself (process.exit(5)) with clients mid-entry and at the token prompt: each told once, anode exits 5', async () => {
    const { a, address, servedPort } = await serve(['run', '--serve', '0', echo, '0'], { ANODE_TOKEN: 'sesame' });
    const programPort = await programPortOf(a);
    const login = async (): Promise<LineClient> => {
      const c = await client(address, false);
      await c.waitFor(/^token: $/);
      c.send('sesame');
      await c.waitFor(/\n> $/);
      return c;
    };
    const [exiter, waitForever, waitTimer, multiLine, idle] = await Promise.all(Array.from({ length: 5 }, login));
    const pid = Number(await exiter!.evaluate('process.pid'));
    waitForever!.send('globalThis.waiting = (globalThis.waiting ?? 0) + 1; await new Promise(() => {})');
    waitTimer!.send('globalThis.waiting = (globalThis.waiting ?? 0) + 1; await new Promise((r) => setTimeout(r, 60000))');
    expect(await multiLine!.evaluate('function f() {', '... ')).toBe('');
    // At the token prompt: two that sent nothing, one that sent half of it.
    const unauthenticated = await Promise.all(Array.from({ length: 3 }, () => client(address, false)));
    await Promise.all(unauthenticated.map((c) => c.waitFor(/^token: $/)));
    unauthenticated[2]!.socket.write('ses');
    await waitUntil(async () => (await idle!.evaluate('globalThis.waiting')) === '2', () => 'the waiting entries never started');

    const t0 = Date.now();
    exiter!.send('process.exit(5)');
    const all = [exiter!, waitForever!, waitTimer!, multiLine!, idle!, ...unauthenticated];
    await Promise.all(all.map((c) => c.closed));
    const toldMs = Date.now() - t0;
    for (const c of [exiter!, waitForever!, waitTimer!, multiLine!, idle!]) {
      expect(notices(c.text)).toEqual(['anode: the program exited (code 5); closing the console']);
      expect(c.text).toMatch(/\nanode: the program exited \(code 5\); closing the console\n$/);
    }
    for (const c of unauthenticated) {
      expect(c.text).toMatch(/^token: anode: the console server is closing\n$/);
    }
    const { code } = await a.exited;
    expect(code).toBe(5);
    expect(a.stderr).toMatch(/^(anode: warning: no token: every local user [^\n]*\n)?The console is being served on \S+\nanode: the program exited \(code 5\)\n$/);
    expect(isGone(pid)).toBe(true);
    await waitUntil(() => pidsWith(watchdogOf(pid)).length === 0, () => 'the watchdog outlived the program');
    expect(await accepts(servedPort)).toBe(false);
    expect(await accepts(programPort)).toBe(false);
    console.info(`[faults] program exit(5) under 5 clients (2 awaiting, 1 mid-entry) and 3 at the token prompt: all told once and closed after ${toldMs} ms`);
  });
});
