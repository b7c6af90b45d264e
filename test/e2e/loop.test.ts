// `.loop`, `anode loop`, the profilers and the command line API against real programs: an HTTP server with
// keep-alive clients, a program that leaks intervals, a busy function the profile must name; Node 20/22/24.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { anode } from '../helpers/attach.js';
import { connectClient } from '../helpers/client.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { nodeBinary, TARGET_LINES } from '../helpers/node-versions.js';
import { startTarget, type TargetProcess } from '../helpers/target.js';

const app = path.join(TEST_FIXTURES, 'loop-app.cjs');
const versions = TARGET_LINES;

interface App {
  target: TargetProcess;
  /** The inspector's ws:// URL (the program was started with its inspector on). */
  url: string;
}

async function startApp(env: NodeJS.ProcessEnv = {}, command = process.execPath): Promise<App> {
  // Code V8 optimized before a profile starts can put the busy function's samples on its caller (listOnTimeout,
  // seen on Node 24 under load); the program runs unoptimized here so what the profile names is deterministic.
  const target = startTarget(['--inspect=127.0.0.1:0', '--no-opt', '--no-maglev', app], { command, env });
  const m = await target.waitFor(/Debugger listening on (ws:\/\/\S+)/, 'stderr');
  await target.waitFor(/ready \d+/);
  return { target, url: m[1]! };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'anode-loop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Report {
  pid: number;
  servers: { kind: string; address: string; connections: number }[];
  socketCount: number;
  sockets: { kind: string; local: string; peer: string; read: number; written: number; server: string | null }[];
  socketGroups: { count: number }[];
  timers: { kind: string; ms: number; count: number; name: string; where: string }[];
  timerCount: number;
  children: { pid: number; command: string }[];
  workers: { threadId: number }[];
  delay: { p50: number; p99: number; utilization: number; windowMs: number } | null;
  heap: { used: number } | null;
  memory: { rss: number };
  files: { fileCount: number } | null;
}

async function loopJson(where: string, extra: string[] = []): Promise<Report> {
  const r = await anode(['loop', where, '--json', ...extra]);
  if (r.code !== 0) throw new Error(`anode loop exited ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

describe('anode loop', () => {
  it('names the server, its keep-alive sockets, the leaking intervals by callback and file:line, children, workers, delay', async () => {
    const { target, url } = await startApp({ LOOP_APP_EXTRAS: '1' });
    const r = await loopJson(url, ['--deep']);
    expect(r.pid).toBe(target.pid);
    expect(r.servers).toEqual([expect.objectContaining({ kind: 'http', connections: 3 })]);
    const port = r.servers[0]!.address.split(':').at(-1);
    // Three client sockets (idle in the agent: unref'd, still found) and three accepted ones.
    expect(r.socketCount).toBe(6);
    expect(r.sockets.filter((s) => s.server !== null)).toHaveLength(3);
    expect(r.sockets.filter((s) => s.peer.endsWith(`:${port}`))).toHaveLength(3);
    for (const s of r.sockets) expect(s.read).toBeGreaterThan(0);
    const leak = r.timers.find((t) => t.name === 'leakyTick');
    expect(leak).toEqual(expect.objectContaining({ kind: 'interval', ms: 60_000, count: 40, where: 'test/fixtures/loop-app.cjs:15' }));
    // (The busy intervals may be the very callback running when the inspector reads: not asserted.)
    expect(r.children).toEqual([expect.objectContaining({ command: expect.stringContaining('loop-app-child') })]);
    expect(r.workers).toHaveLength(1);
    expect(r.delay).not.toBeNull();
    expect(r.delay!.windowMs).toBeGreaterThan(0);
    expect(r.delay!.utilization).toBeGreaterThan(0);
    expect(r.heap!.used).toBeGreaterThan(0);
    expect(r.memory.rss).toBeGreaterThan(0);
    expect(target.stderr).not.toMatch(/Error/);
  });

  it('prints aligned plain columns when piped; a pid is attached and left running', async () => {
    const target = startTarget(['--inspect-port=0', app]);
    await target.waitFor(/ready \d+/);
    const r = await anode(['loop', String(target.pid), '--sample', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(new RegExp(`^Event loop of pid ${target.pid} `));
    expect(r.stdout).toMatch(/\nServers \(1\)\n {2}http {2}127\.0\.0\.1:\d+ {2}3 connections\n/);
    expect(r.stdout).toMatch(/\n {5}40 {2}interval +every 1 min 0 s +\S+( \S+)* +leakyTick +test\/fixtures\/loop-app\.cjs:15\n/);
    // Without --deep: what keeps the loop alive (the accepted sockets; the agent's idle ones are unref'd).
    expect(r.stdout).toContain('Sockets (3)');
    expect(r.stdout).toContain('.loop deep / --deep');
    // Still running, still serving.
    expect(target.child.exitCode).toBeNull();
  });

  it('bounded: many sockets give a grouped summary; --all lists every one', async () => {
    const { url } = await startApp({ LOOP_APP_CLIENTS: '30' });
    const summary = await anode(['loop', url, '--sample', '0', '--deep']);
    expect(summary.stdout).toContain('Sockets (60)');
    expect(summary.stdout).toContain('(grouped: 60 sockets; .loop all / --all lists each one)');
    expect(summary.stdout.split('\n').filter((l) => l.includes(' → '))).toHaveLength(0);
    const all = await anode(['loop', url, '--sample', '0', '--all', '--deep']);
    expect(all.stdout.split('\n').filter((l) => /^ +tcp +\S+ → /.test(l))).toHaveLength(60);
    const json = await loopJson(url, ['--sample', '0', '--deep']);
    expect(json.sockets).toHaveLength(20);
    expect(json.socketGroups.reduce((n, g) => n + g.count, 0)).toBe(60);
  });

  it("never runs the program's getters or Proxy traps (which do fire when read: the control)", async () => {
    const { target, url } = await startApp({ LOOP_APP_TRAPS: '1' });
    const r = await loopJson(url, ['--sample', '0', '--deep']);
    expect(r.servers).toHaveLength(2);
    expect(r.timers.some((t) => t.ms === 60_000 && t.count === 1)).toBe(true);
    expect(target.stdout).not.toContain('TRAP');
    // Positive control: reading them the ordinary way does print.
    const control = await anode(['attach', url, '-e', 'trapped.name', '-e', 'loudServer.keepAliveTimeout']);
    expect(control.code).toBe(0);
    await target.waitFor('TRAP get name');
    await target.waitFor('TRAP getter keepAliveTimeout');
  });
});

describe('profiles and snapshots', () => {
  it('anode profile writes a .cpuprofile naming the busy function, and never overwrites a file', async () => {
    const { target, url } = await startApp();
    const file = path.join(dir, 'busy.cpuprofile');
    const r = await anode(['profile', url, '--seconds', '2', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { callFrame: { functionName: string } }[]; samples: number[] };
    expect(profile.nodes.some((n) => n.callFrame.functionName === 'crunchNumbers')).toBe(true);
    expect(profile.samples.length).toBeGreaterThan(0);
    // The busy function is the top one by self time.
    const top = r.stdout.split('\n').find((l) => /^\s+[\d.]+ (ms|s)\s/.test(l) && !/\((idle|program|garbage collector)\)/.test(l));
    expect(top).toMatch(/crunchNumbers +test\/fixtures\/loop-app\.cjs:23$/);
    expect(r.stderr).toContain(`wrote ${file}`);
    const before = statSync(file).size;
    const again = await anode(['profile', url, '--seconds', '1', '-o', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);
    expect(statSync(file).size).toBe(before);
    expect(target.child.exitCode).toBeNull();
  });

  it('anode heapsnapshot writes a snapshot DevTools loads, warns that the program pauses, refuses to overwrite', async () => {
    const { url } = await startApp();
    const file = path.join(dir, 'app.heapsnapshot');
    const r = await anode(['heapsnapshot', url, '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the program is paused');
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { node_count: number } };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
    const taken = path.join(dir, 'taken.heapsnapshot');
    await writeFile(taken, 'mine');
    const again = await anode(['heapsnapshot', url, '-o', taken]);
    expect(again.code).toBe(1);
    expect(readFileSync(taken, 'utf8')).toBe('mine');
  });
});

describe('in the console', () => {
  it('.loop, .heap, .profile, queryObjects and getEventListeners (bindings, not globals)', async () => {
    const { url } = await startApp();
    const a = startAnode(['attach', url, '--no-console']);
    await a.waitForPrompt();
    expect(await a.evaluate("queryObjects(require('node:http').Server).length")).toBe('1');
    expect(await a.evaluate("Object.keys(getEventListeners(queryObjects(require('node:http').Server)[0]))")).toContain("'request'");
    expect(await a.evaluate("[typeof globalThis.queryObjects, 'getEventListeners' in globalThis]")).toBe("[ 'undefined', false ]");
    expect(await a.evaluate('queryObjects(1)')).toMatch(/^Uncaught TypeError: queryObjects wants a class/);
    const loop = await a.evaluate('.loop');
    expect(loop).toContain('Servers (1)');
    expect(loop).toMatch(/leakyTick +test\/fixtures\/loop-app\.cjs:15/);
    expect(loop).toMatch(/delay p50 [\d.]+ ms p99 [\d.]+ ms/);
    const heap = await a.evaluate('.heap 1');
    expect(heap).toContain('Top allocation sites');
    expect(heap).toMatch(/makeGarbage +test\/fixtures\/loop-app\.cjs:39/);
    const file = path.join(dir, 'console.cpuprofile');
    const profile = await a.evaluate(`.profile 1 ${file}`);
    expect(profile).toMatch(/crunchNumbers +test\/fixtures\/loop-app\.cjs:23/);
    expect(existsSync(file)).toBe(true);
    expect(await a.evaluate(`.profile 1 ${file}`)).toMatch(/anode: \.profile: cannot write .* exists already/);
    expect(await a.evaluate('.help')).toContain('queryObjects(Ctor)');
    // Mistakes get one line each and the console goes on.
    expect(await a.evaluate('.loop sideways')).toBe('usage: .loop [all] [deep] [json]');
    expect(await a.evaluate('.profile -3')).toBe('usage: .profile [SECONDS] [FILE]');
    expect(await a.evaluate('.heap forever')).toBe('usage: .heap [SECONDS]');
    expect(await a.evaluate(`.heapsnapshot ${path.join(dir, 'no-such-dir', 'x.heapsnapshot')}`)).toMatch(/^Taking a heap snapshot.*\nanode: \.heapsnapshot: cannot write .*: ENOENT$/s);
    expect(await a.evaluate('getEventListeners(42)')).toMatch(/^Uncaught TypeError: getEventListeners wants an EventEmitter/);
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('Ctrl-C (SIGINT to a piped console) ends a long .profile early and keeps what was recorded', async () => {
    const { url, target } = await startApp();
    const a = startAnode(['attach', url, '--no-console']);
    await a.waitForPrompt();
    const file = path.join(dir, 'interrupted.cpuprofile');
    const from = a.stderr.length;
    a.send(`.profile 600 ${file}`);
    await a.waitFor('Recording a CPU profile for 600 s', { from });
    a.kill('SIGINT');
    await a.waitFor(/Wrote .*interrupted\.cpuprofile/, { from, timeoutMs: 30_000 });
    await a.waitForPrompt();
    expect(a.stderr.slice(from)).toContain('Top functions by self time');
    expect(JSON.parse(readFileSync(file, 'utf8')).nodes.length).toBeGreaterThan(0);
    // The console and the program go on.
    expect(await a.evaluate('6 * 7')).toBe('42');
    expect(target.child.exitCode).toBeNull();
    a.end();
    await a.exited;
  });

  it('served consoles (nc) run them server-side', async () => {
    const { url } = await startApp();
    const a = startAnode(['attach', url, '--serve', '0']);
    const m = await a.waitFor(/The console is being served on (\S+)\n/);
    const client = await connectClient(m[1]!);
    await client.waitFor('> ');
    const loop = await client.evaluate('.loop');
    expect(loop).toContain('Servers (1)');
    expect(loop).not.toContain('\x1b[');
    expect(await client.evaluate("queryObjects(require('node:http').Server).length")).toBe('1');
    client.destroy();
    a.kill('SIGTERM');
    await a.exited;
  });
});

describe('on every supported Node.js line', () => {
  for (const { line, bin } of versions) {
    it(`Node ${line}: loop and profile`, async (ctx: TestContext) => {
      nodeBinary(ctx, { line, bin });
      const { url } = await startApp({}, bin);
      const r = await loopJson(url, ['--sample', '200', '--deep']);
      expect(r.servers).toEqual([expect.objectContaining({ kind: 'http', connections: 3 })]);
      expect(r.socketCount).toBe(6);
      expect(r.timers.find((t) => t.name === 'leakyTick')).toEqual(expect.objectContaining({ count: 40, where: 'test/fixtures/loop-app.cjs:15' }));
      expect(r.delay).not.toBeNull();
      const file = path.join(dir, `busy-${line}.cpuprofile`);
      const p = await anode(['profile', url, '--seconds', '1', '-o', file]);
      expect(p.code, p.stderr).toBe(0);
      expect(p.stdout).toMatch(/crunchNumbers +test\/fixtures\/loop-app\.cjs:23/);
      const a = startAnode(['attach', url, '--no-console']);
      await a.waitForPrompt();
      expect(await a.evaluate("queryObjects(require('node:http').Server).length")).toBe('1');
      a.end();
      await a.exited;
    });
  }
});
