// `anode run --serve`: real anode, real program, real sockets on port 0.
import { mkdtemp, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { isAlive } from '../helpers/processes.js';
import { rssKb } from '../helpers/faults.js';
import { waitUntil } from '../helpers/wait.js';

const clients: LineClient[] = [];
const raw: net.Socket[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const r of raw.splice(0)) r.destroy();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function serve(args: string[], env?: NodeJS.ProcessEnv): Promise<{ anode: AnodeProcess; address: string }> {
  const anode = startAnode(['run', ...args], env ? { env } : {});
  const m = await anode.waitFor(/The console is being served on (\S+)\n/);
  return { anode, address: m[1]! };
}

async function client(address: string, prompt = true): Promise<LineClient> {
  const c = await connectClient(address);
  clients.push(c);
  if (prompt) await c.waitFor(/\n> $/);
  return c;
}

/** A raw connection that never reads anything (paused before it connects). */
async function nonReader(address: string): Promise<net.Socket> {
  const [host, port] = address.split(':');
  const socket = net.connect({ host: host!, port: Number(port) });
  socket.pause();
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  raw.push(socket);
  return socket;
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'anode-serve-'));
  dirs.push(d);
  return d;
}

describe('anode run --serve', () => {
  it('binds loopback by default and serves the console with the banner, instead of the terminal', async () => {
    const { anode, address } = await serve(['--serve', '0', 'fixtures/echo.js', '0']);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const c = await client(address);
    expect(c.text).toMatch(/^anode: console into fixtures\/echo\.js \(pid \d+/);
    expect(c.text).toContain("every client shares the program's global scope");
    expect(c.text).not.toMatch(/\x1b\[/);
    expect(await c.evaluate('1 + 1')).toBe('2');
    expect(await c.evaluate('await new Promise((r) => setTimeout(r, 50, "late"))')).toBe("'late'");
    expect(await c.evaluate('function f() {', '... ')).toBe('');
    expect(await c.evaluate('  return 7 }')).toBe('undefined');
    expect(await c.evaluate('f() * 6')).toBe('42');
    expect(await c.evaluate('[...main.history.values()]')).toBe('[]');
    expect(await c.evaluate('null.x')).toMatch(/^Uncaught TypeError: Cannot read properties of null/);
    // Nothing of the console reached anode's own terminal.
    expect(anode.stderr).toMatch(/^(anode: warning: no token: every local user [^\n]*\n)?The console is being served on \S+\n$/);
    c.send('.exit');
    await c.closed;
    // The program and the server keep going.
    const d = await client(address);
    expect(await d.evaluate('6 * 7')).toBe('42');
  });

  it('50 concurrent clients each get only their own results', async () => {
    const { address } = await serve(['--serve', ':0', '--max-clients', '64', 'fixtures/echo.js', '0']);
    const all = await Promise.all(Array.from({ length: 50 }, () => client(address)));
    await Promise.all(
      all.map(async (c, i) => {
        expect(await c.evaluate(`let mine${i} = 'client-${i}-' + 'z'.repeat(3)`)).toBe('undefined');
        for (let k = 0; k < 3; k++) {
          expect(await c.evaluate(`await new Promise((r) => setTimeout(r, ${k * 7}, mine${i} + ${k}))`)).toBe(`'client-${i}-zzz${k}'`);
        }
        expect(await c.evaluate('_')).toBe(`'client-${i}-zzz2'`);
      }),
    );
    all.forEach((c, i) => {
      const others = [...c.text.matchAll(/client-(\d+)-/g)].map((m) => Number(m[1])).filter((n) => n !== i);
      expect(others).toEqual([]);
    });
  }, 60_000);

  it('refuses a non-loopback address without a token, before starting the program', async () => {
    const anode = startAnode(['run', '--serve', '0.0.0.0:0', 'fixtures/echo.js', '0'], { env: { ANODE_TOKEN: '' } });
    const { code } = await anode.exited;
    expect(code).toBe(1);
    expect(anode.stderr).toMatch(/^anode: refusing to serve on 0\.0\.0\.0:0 without a token/);
    expect(anode.stderr).not.toContain('echo service');
    expect(anode.stdout).not.toContain('echo service');
  });

  it('asks for the token first: a wrong one evaluates nothing, is logged, and closes; the right one opens', async () => {
    const { anode, address } = await serve(['--serve', '0.0.0.0:0', '--token', 's3cret', 'fixtures/echo.js', '0']);
    const port = address.split(':').pop()!;
    const bad = await client(`127.0.0.1:${port}`, false);
    await bad.waitFor(/^token: $/);
    bad.send('guess');
    bad.send('globalThis.pwned = 1');
    await bad.closed;
    expect(bad.text).toBe('token: anode: wrong token; closing the connection\n');
    await anode.waitFor(/refused client 127\.0\.0\.1:\d+: wrong token/);
    const good = await client(`127.0.0.1:${port}`, false);
    await good.waitFor('token: ');
    good.send('s3cret');
    await good.waitFor(/\n> $/);
    expect(await good.evaluate('globalThis.pwned')).toBe('undefined');
    expect(await good.evaluate('40 + 2')).toBe('42');
  });

  it('takes the token from ANODE_TOKEN', async () => {
    const { address } = await serve(['--serve', '0', 'fixtures/echo.js', '0'], { ANODE_TOKEN: 'from-env' });
    const c = await client(address, false);
    await c.waitFor('token: ');
    c.send('from-env');
    await c.waitFor(/\n> $/);
    expect(await c.evaluate('1 + 2')).toBe('3');
  });

  it('serves on a unix socket created 0600 inside a 0700 directory it makes', async () => {
    const dir = await tempDir();
    const sock = path.join(dir, 'private', 'console.sock');
    const { address } = await serve(['--serve', `unix:${sock}`, 'fixtures/echo.js', '0']);
    expect(address).toBe(`unix:${sock}`);
    expect((await stat(sock)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(sock))).mode & 0o777).toBe(0o700);
    const c = await client(address);
    expect(await c.evaluate('1 + 1')).toBe('2');
  });

  it('never removes a non-socket file at the unix path', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'important.txt');
    await writeFile(file, 'keep me');
    const anode = startAnode(['run', '--serve', `unix:${file}`, 'fixtures/echo.js', '0']);
    const { code } = await anode.exited;
    expect(code).toBe(1);
    expect(anode.stderr).toMatch(/exists and is not a socket; anode will not remove it/);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('refuses clients beyond --max-clients with a message to that client only', async () => {
    const { anode, address } = await serve(['--serve', '0', '--max-clients', '2', 'fixtures/echo.js', '0']);
    const a = await client(address);
    await client(address);
    const third = await client(address, false);
    await third.closed;
    expect(third.text).toBe('anode: too many clients (limit 2); try again later\n');
    await anode.waitFor(/refused client .*: 2 clients already connected/);
    expect(await a.evaluate('1 + 1')).toBe('2');
    a.send('.exit');
    await a.closed;
    // The freed place is given to the next client.
    const again = await waitUntil(
      async () => {
        const c = await client(address, false);
        await c.waitFor(/\n> $|try again later\n/);
        return c.text.endsWith('> ') ? c : false;
      },
      () => 'the freed place was never given back',
      20_000,
      100,
    );
    expect(await again.evaluate('2 + 2')).toBe('4');
  });

  it('survives garbage, an over-long line, a client leaving mid-await and one that never reads', async () => {
    const { anode, address } = await serve(['--serve', '0', 'fixtures/echo.js', '0']);
    const watcher = await client(address);
    const baseline = rssKb(anode.pid);

    // 64 KB of binary garbage: evaluated as (bad) code or discarded, never a crash.
    const garbage = await client(address);
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    garbage.socket.write(bytes);
    garbage.send('');
    garbage.send('.break');
    garbage.send('"still" + " here"');
    await garbage.waitFor(/> 'still here'\n> $/);

    // A 2 MB line: cut at the stream, the client is told, its session goes on.
    const long = await client(address);
    long.socket.write(`"${'a'.repeat(2 * 1024 * 1024)}"\n`);
    await long.waitFor(/line too long \(2097154 bytes, limit 1048576\); discarded/);
    expect(await long.evaluate('3 + 4')).toBe('7');

    // Leaving in the middle of an await abandons only that evaluation.
    const leaver = await client(address);
    leaver.send('globalThis.leaverIn = 1; await new Promise((r) => setTimeout(r, 600000))');
    await waitUntil(async () => (await watcher.evaluate('globalThis.leaverIn')) === '1', () => 'the leaver never started', 20_000, 100);
    leaver.destroy();
    await leaver.closed;

    // A client that never reads (not even its banner) while its entries would produce 400 MB of output.
    const sink = await nonReader(address);
    // (util.inspect clips a string at 10,000 characters and an array at 100 items: 100 strings make 1 MB.)
    const entry = `globalThis.produced = (globalThis.produced ?? 0) + 1, Array.from({ length: 100 }, () => 'x'.repeat(9990))`;
    for (let i = 0; i < 400; i++) sink.write(`${entry}\n`);
    // A client that floods commands whose output it never reads is dropped once its backlog passes the cap.
    const flood = await nonReader(address);
    flood.write('.help\n'.repeat(40_000));
    await anode.waitFor(/dropped client 127\.0\.0\.1:\d+: more than \d+ bytes of output waiting/, { timeoutMs: 30_000 });

    // The non-reader's entries stop once its output backs up (kernel buffers hold a few MB): production
    // settles far below 400.
    const seen: number[] = [];
    const settled = await waitUntil(
      async () => {
        seen.push(Number(await watcher.evaluate('globalThis.produced ?? 0')));
        const last = seen.slice(-8);
        return last.length === 8 && last.every((n) => n === last[0] && n > 0) ? last[0]! : false;
      },
      () => `production never settled: ${seen.join(' ')}`,
      30_000,
      100,
    );
    expect(settled).toBeLessThan(60);
    expect(await watcher.evaluate('"all fine"')).toBe("'all fine'");
    expect(await long.evaluate('8 * 8')).toBe('64');
    const grown = rssKb(anode.pid) - baseline;
    expect(grown, `anode grew by ${grown} kB`).toBeLessThan(150_000);
  }, 60_000);

  it('tells every client when the program exits, and exits with its code', async () => {
    const { anode, address } = await serve(['--serve', '0', 'fixtures/echo.js', '0']);
    const a = await client(address);
    const b = await client(address);
    a.send('setTimeout(() => process.exit(3), 50), "bye"');
    await Promise.all([a.closed, b.closed]);
    expect(b.text).toMatch(/anode: .*; closing the console\n$/);
    const { code } = await anode.exited;
    expect(code).toBe(3);
    expect(anode.stderr).toContain('the program exited (code 3)');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to anode stops the program, tells the clients and closes', async (signal) => {
    const { anode, address } = await serve(['--serve', '0', 'fixtures/echo.js', '0']);
    const a = await client(address);
    const pid = Number(await a.evaluate('process.pid'));
    a.send('await new Promise(() => {})');
    const b = await client(address);
    anode.kill(signal);
    await Promise.all([a.closed, b.closed]);
    expect(b.text).toMatch(/anode: the console server is closing\n$/);
    expect(a.text).toMatch(/anode: the console server is closing\n$/);
    await anode.exited;
    await waitUntil(() => !isAlive(pid), () => `program ${pid} still alive`);
  });
});

describe('anode attach --serve', () => {
  it('serves a console into a running program; SIGTERM detaches and the program keeps serving', async () => {
    const { startEcho, echoLine } = await import('../helpers/attach.js');
    const { target, port } = await startEcho();
    const anode = startAnode(['attach', '--serve', '0', String(target.pid)]);
    const address = (await anode.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const c = await client(address);
    expect(await c.evaluate('process.pid')).toBe(String(target.pid));
    expect((await echoLine(port, 'served')).trim()).toBe('served');
    expect(await c.evaluate('[...main.history.values()].flat()')).toBe("[ 'served' ]");
    anode.child.kill('SIGTERM');
    expect((await anode.exited).code).toBe(0);
    expect(isAlive(target.pid)).toBe(true);
    expect((await echoLine(port, 'still here')).trim()).toBe('still here');
  });
});
