// Attacks on a served console (SECURITY.md, "Attacks tried"): clients refused when the server is full
// that had sent bytes, a flood of idle sockets against a legitimate user, token guessing from one address,
// a client that half-closes during a runaway entry, and the token-less loopback warning. Real anode, real
// program, real sockets; figures go to stdout as `[attack] ...` lines.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { echoLine } from '../helpers/attach.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { fdCount } from '../helpers/faults.js';
import { waitUntil } from '../helpers/wait.js';

const echo = 'fixtures/echo.js';
const TOKEN = 'correct-horse-battery-staple';

const sockets: { destroy(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function serve(args: string[], env?: NodeJS.ProcessEnv) {
  const a = startAnode(args, env ? { env } : {});
  const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
  const programPort = Number((await a.waitFor(/served on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' }))[1]);
  return { a, address, port: Number(address.split(':').pop()), programPort };
}

async function client(address: string): Promise<LineClient> {
  const c = await connectClient(address);
  sockets.push(c);
  return c;
}

/** A raw socket that may send `bytes` and then holds the connection (never ends it). */
function raw(port: number, bytes?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => undefined);
    s.once('connect', () => {
      if (bytes) s.write(bytes);
      resolve(s);
    });
    s.once('error', reject);
  });
}

function closed(s: net.Socket): Promise<void> {
  return s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
}

describe('attack: clients refused because the server is full', () => {
  it('that had sent bytes are closed (no descriptor leaked), and SIGTERM still stops anode', async () => {
    const { a, address, port } = await serve(['run', '--serve', '0', '--max-clients', '1', echo, '0']);
    const first = await client(address);
    await first.waitFor(/\n> $/);
    const fdBefore = fdCount(a.pid);
    const refused = await Promise.all(Array.from({ length: 20 }, () => raw(port, '1+1\nprocess.pid\n')));
    let told = 0;
    for (const s of refused) s.on('data', (d: Buffer) => void (told += d.toString().includes('too many clients') ? 1 : 0));
    // Each is closed by anode, though none of them ends its side.
    await Promise.all(refused.map(closed));
    await waitUntil(() => fdCount(a.pid) <= fdBefore, () => `anode holds ${fdCount(a.pid)} descriptors, had ${fdBefore}`, 15_000);
    const leaked = fdCount(a.pid) - fdBefore;
    expect(told).toBe(20);
    expect(await first.evaluate('6 * 7')).toBe('42');
    process.kill(a.pid, 'SIGTERM');
    // It ends (by the signal, as anode run re-raises it, or with 0): it does not hang.
    await a.exited;
    console.info(`[attack] 20 refused clients that sent bytes: all closed by anode, ${Math.max(0, leaked)} descriptors leaked; SIGTERM stopped anode`);
  });
});

describe('attack: a flood of idle sockets that never give the token', () => {
  it('100 new idle sockets a second do not keep a legitimate user out, and do not count against --max-clients', async () => {
    const { a, address, port } = await serve(['run', '--serve', '0', '--max-clients', '2', echo, '0'], { ANODE_TOKEN: TOKEN });
    let flooding = true;
    let opened = 0;
    const flood = (async () => {
      while (flooding) {
        await raw(port).catch(() => undefined);
        opened += 1;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitUntil(() => opened >= 50, () => 'the flood did not start');
    const tries = 20;
    let inside = 0;
    for (let i = 0; i < tries; i++) {
      const c = await client(address);
      c.send(TOKEN);
      const m = await c.waitFor(/\n> $|closing the connection\n|try again\n/, { timeoutMs: 20_000 }).catch(() => null);
      if (m?.[0] === '\n> ') {
        inside += 1;
        expect(await c.evaluate('1 + 1')).toBe('2');
      }
      c.destroy();
    }
    flooding = false;
    await flood;
    expect(inside, a.output()).toBeGreaterThan(0);
    // Logged once when the crowd forms (and once when it ends), not once per socket.
    const crowdedLines = a.stderr.split('\n').filter((l) => /waiting to give their token|waiting for the token closed/.test(l)).length;
    expect(crowdedLines).toBeLessThanOrEqual(2);
    console.info(`[attack] ${opened} idle sockets (~100/s) during ${tries} logins: ${tries - inside} of ${tries} legitimate logins locked out; ${crowdedLines} log lines`);
    process.kill(a.pid, 'SIGTERM');
    // It ends (by the signal, as anode run re-raises it, or with 0): it does not hang.
    await a.exited;
  });
});

describe('attack: guessing the token from one address', () => {
  it('wrong tokens slow down (a growing delay), are logged once per burst, and the right token still works', async () => {
    const { a, address } = await serve(['run', '--serve', '0', echo, '0'], { ANODE_TOKEN: TOKEN });
    const guesses = 6;
    const t0 = performance.now();
    const times: number[] = [];
    // In parallel, as an attacker would: the verdicts still come one at a time, each later than the last.
    const attempts = Array.from({ length: guesses }, async (_, i) => {
      const c = await client(address);
      await c.waitFor(/^token: $/);
      c.send(`guess-${i}`);
      await c.waitFor('wrong token; closing the connection', { timeoutMs: 60_000 });
      times.push(performance.now() - t0);
    });
    await Promise.all(attempts);
    const totalMs = performance.now() - t0;
    const wrongLines = a.stderr.split('\n').filter((l) => /wrong token/.test(l)).length;
    expect(wrongLines).toBe(1);
    // The gaps between verdicts grow: the last gap is longer than the first.
    const sorted = times.sort((x, y) => x - y);
    const gaps = sorted.slice(1).map((t, i) => t - sorted[i]!);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
    const good = await client(address);
    await good.waitFor(/^token: $/);
    good.send(TOKEN);
    await good.waitFor(/\n> $/, { timeoutMs: 60_000 });
    expect(await good.evaluate('6 * 7')).toBe('42');
    console.info(
      `[attack] ${guesses} parallel wrong tokens from one address: ${(guesses / (totalMs / 1000)).toFixed(1)} guesses/s (was ~1,124/s), ${wrongLines} log line; gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`,
    );
    process.kill(a.pid, 'SIGTERM');
    await a.exited;
  }, 90_000);
});

describe('attack: a plain client half-closes during its running entry', () => {
  it('`while (true) {}` then Ctrl-D: the entry is stopped as Ctrl-C would, the program runs on, its place is freed', async () => {
    const { a, address, programPort } = await serve(['run', '--serve', '0', '--max-clients', '1', echo, '0']);
    const c = await client(address);
    await c.waitFor(/\n> $/);
    c.send("process.stdout.write('spinning\\n'); while (true) {}");
    await a.waitFor('spinning', { stream: 'stdout' });
    c.end();
    await c.waitFor('end of input: the running entry was stopped (as Ctrl-C would); closing the console');
    await c.closed;
    // The program runs again, and the one place is free for the next client.
    expect(await echoLine(programPort, 'after')).toBe('after\n');
    const next = await client(address);
    await next.waitFor(/\n> $/);
    expect(await next.evaluate('1 + 1')).toBe('2');
    // An endless await, then Ctrl-D: the same.
    next.send('await new Promise(() => {})');
    next.end();
    await next.waitFor('end of input: the running entry was stopped');
    await next.closed;
    const third = await client(address);
    await third.waitFor(/\n> $/);
    // A transcript piped with a half-close still gets its results.
    third.send('6 * 7');
    third.end();
    await third.waitFor(/> 42\n/);
    await third.closed;
    process.kill(a.pid, 'SIGTERM');
    // It ends (by the signal, as anode run re-raises it, or with 0): it does not hang.
    await a.exited;
  });
});

describe('attack: a token-less loopback console', () => {
  it('says in its first line that every local user can run code through it', async () => {
    const { a } = await serve(['run', '--serve', '0', echo, '0']);
    expect(a.stderr.split('\n')[0]).toMatch(/^anode: warning: no token: every local user of this machine can run code as \S+ through this console; serve on unix:PATH or set ANODE_TOKEN/);
    process.kill(a.pid, 'SIGTERM');
    await a.exited;
    // Positive control: with a token, no such line.
    const { a: b } = await serve(['run', '--serve', '0', echo, '0'], { ANODE_TOKEN: TOKEN });
    expect(b.stderr).not.toContain('warning: no token');
    process.kill(b.pid, 'SIGTERM');
    await b.exited;
  });
});
