// `anode connect`: the terminal console into a served one, over the anode protocol, against a real
// `anode run --serve 0` program; plain line clients keep working beside it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { KEY, startAnodePty } from '../helpers/pty.js';
import { isAlive, killPid, track } from '../helpers/processes.js';
import { ROOT, TEST_FIXTURES } from '../helpers/paths.js';
import { waitUntil } from '../helpers/wait.js';

const CONTROLLED = path.join(TEST_FIXTURES, 'controlled.js');
const clients: LineClient[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const f of cleanups.splice(0)) await f();
});

/** `anode run --serve 0 controlled.js [more]`: the server and its address. */
async function serve(more: string[] = [], token?: string): Promise<{ server: AnodeProcess; address: string; programPid: number }> {
  const server = startAnode(['run', '--serve', '0', ...(token === undefined ? [] : ['--token', token]), ...more, CONTROLLED], {
    env: { CONTROLLED_QUIET: '' },
  });
  const m = await server.waitFor(/The console is being served on (\S+)\n/);
  await server.waitFor(/controlled ready/, { stream: 'stdout' });
  const address = m[1]!;
  // The program's pid, from a plain client's banner.
  const plain = await plainClient(address, token);
  const programPid = Number(/\(pid (\d+),/.exec(plain.text)![1]);
  plain.destroy();
  return { server, address, programPid };
}

async function plainClient(address: string, token?: string): Promise<LineClient> {
  const c = await connectClient(address);
  clients.push(c);
  if (token !== undefined) {
    await c.waitFor('token: ');
    c.send(token);
  }
  await c.waitFor(/\n> $/);
  return c;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'anode-connect-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The value of `ticks` in the program, read by a plain client: proves the program still runs. */
async function ticks(address: string): Promise<number> {
  const c = await plainClient(address);
  const value = Number((await c.evaluate('ticks')).trim());
  c.destroy();
  return value;
}

describe('anode connect in a terminal', () => {
  it('previews the result of the line being typed, computed by the served program; --no-preview turns it off', async () => {
    const { address } = await serve();
    const term = startAnodePty(['connect', address]);
    await term.waitFor(`Connected to ${address}.`);
    await term.waitForPrompt();
    const from = term.raw().length;
    const fromText = term.text().length;
    term.write('ticks >= 0');
    await term.waitFor(/ticks >= 0\ntrue/, { from: fromText });
    expect(term.raw().slice(from)).toContain('\x1b[90mtrue');
    const quiet = startAnodePty(['connect', '--no-preview', address]);
    await quiet.waitFor(`Connected to ${address}.`);
    await quiet.waitForPrompt();
    const at = quiet.text().length;
    quiet.write(`6 * 7${KEY.enter}`);
    await quiet.waitFor(/\n42\n> $/, { from: at });
    expect(quiet.raw()).not.toContain('\x1b[90m42');
  });

  it('completes with Tab, interrupts the remote entry with Ctrl-C, leaves with Ctrl-D; the program keeps running; history persists', async () => {
    const { address, programPid } = await serve();
    const dir = await tempDir();
    const historyFile = path.join(dir, 'history');
    const term = startAnodePty(['connect', address], { env: { ANODE_REPL_HISTORY: historyFile } });
    await term.waitFor(`Connected to ${address}.`);
    await term.waitForPrompt();

    // Tab completion comes from the served program.
    let from = term.text().length;
    term.write(`globalThis.tic${KEY.tab}`);
    await term.waitFor('globalThis.ticks', { from });
    term.write(` >= 0${KEY.enter}`);
    await term.waitFor(/\ntrue\n> $/, { from });
    // A colour terminal asked for coloured results: they come back coloured like a local console's.
    expect(term.raw()).toContain('\x1b[33mtrue\x1b[39m');

    // Ctrl-C interrupts the remote entry; the program goes on ticking.
    const before = await ticks(address);
    from = term.text().length;
    term.write(`while (true) {}${KEY.enter}`);
    await term.waitFor('while (true) {}\n', { from });
    term.write(KEY.ctrlC);
    await term.waitFor(/Interrupted: the evaluation was stopped; the program keeps running\.\n> $/, { from });
    from = term.text().length;
    term.write(`ticks > ${before}${KEY.enter}`);
    await term.waitFor(/\ntrue\n> $/, { from });

    // Ctrl-D leaves with 0; the program is still alive and served.
    term.write(KEY.ctrlD);
    expect((await term.exited).exitCode).toBe(0);
    expect(isAlive(programPid)).toBe(true);
    expect(await ticks(address)).toBeGreaterThan(before);

    // The history file has the entries, and a new connect recalls them with the Up arrow.
    const saved = await readFile(historyFile, 'utf8');
    expect(saved).toContain('while (true) {}');
    const again = startAnodePty(['connect', address], { env: { ANODE_REPL_HISTORY: historyFile } });
    await again.waitForPrompt();
    from = again.text().length;
    again.write(KEY.up);
    await again.waitFor(`> ticks > ${before}`, { from });
    again.write(KEY.enter);
    await again.waitFor(/\ntrue\n> $/, { from });
    again.write(KEY.ctrlD);
    expect((await again.exited).exitCode).toBe(0);
  });

  it('keeps a plain client working beside it, each with its own results and `_`', async () => {
    const { address } = await serve(['--max-clients', '4']);
    const term = startAnodePty(['connect', address]);
    await term.waitForPrompt();
    const plain = await plainClient(address);
    let from = term.text().length;
    term.write(`"from connect"${KEY.enter}`);
    await term.waitFor(/'from connect'\n> $/, { from });
    expect(await plain.evaluate('"from nc"')).toContain("'from nc'");
    from = term.text().length;
    term.write(`_${KEY.enter}`);
    await term.waitFor(/'from connect'\n> $/, { from });
    expect(await plain.evaluate('_')).toContain("'from nc'");
    expect(plain.text).not.toContain('from connect');
    expect(term.text()).not.toContain('from nc');
    expect(plain.text).not.toContain('anode-protocol');
    term.write(KEY.ctrlD);
    expect((await term.exited).exitCode).toBe(0);
  });
});

describe('anode connect, piped', () => {
  it('sends the token first: the right one opens the console, a wrong or missing one is a one-line error', async () => {
    const { address } = await serve([], 's3cret');
    const good = startAnode(['connect', address, '--token', 's3cret']);
    await good.waitForPrompt();
    expect(await good.evaluate('6 * 7')).toBe('42');
    good.end();
    expect((await good.exited).code).toBe(0);

    const wrong = startAnode(['connect', address, '--token', 'nope']);
    expect((await wrong.exited).code).toBe(1);
    expect(wrong.stderr).toMatch(/^anode: the console at 127\.0\.0\.1:\d+ refused the token: check --token \(or ANODE_TOKEN\)\n$/);

    const none = startAnode(['connect', address], { env: { ANODE_TOKEN: '' } });
    expect((await none.exited).code).toBe(1);
    expect(none.stderr).toMatch(/asks for a token: pass --token \(or set ANODE_TOKEN\)\n$/);

    const fromEnv = startAnode(['connect', address], { env: { ANODE_TOKEN: 's3cret' } });
    await fromEnv.waitForPrompt();
    fromEnv.end();
    expect((await fromEnv.exited).code).toBe(0);
  });

  it('says so and exits non-zero when the server is unreachable or goes away', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const unreachable = startAnode(['connect', `127.0.0.1:${port}`]);
    expect((await unreachable.exited).code).toBe(1);
    expect(unreachable.stderr).toMatch(/^anode: cannot connect to the console at 127\.0\.0\.1:\d+: nothing is listening there/);

    const bad = startAnode(['connect', 'nowhere']);
    expect((await bad.exited).code).not.toBe(0);
    expect(bad.stderr).toMatch(/anode connect expects HOST:PORT, PORT or unix:PATH/);

    const { server, address } = await serve();
    const client = startAnode(['connect', address]);
    await client.waitForPrompt();
    client.send('setTimeout(() => process.exit(3), 50), "bye"');
    expect((await client.exited).code).toBe(1);
    expect(client.stderr).toMatch(/anode: the console at 127\.0\.0\.1:\d+ closed the connection: the program (exited|finished)/);
    expect((await server.exited).code).toBe(3);
  });

  it('says why when the server closes, and Ctrl-C as a signal interrupts the running entry', async () => {
    const { server, address } = await serve();
    const client = startAnode(['connect', address]);
    await client.waitForPrompt();
    expect(await client.evaluate('.console on')).toContain('shown here');
    const from = client.stderr.length;
    client.send('console.log("spinning"); while (true) {}');
    await client.waitFor('[program] spinning', { from });
    // Without a terminal Ctrl-C is a SIGINT to anode connect: it interrupts the remote entry, not the client.
    client.kill('SIGINT');
    await client.waitFor(/Interrupted: the evaluation was stopped; the program keeps running\.\n> $/, { from });
    expect(await client.evaluate('1 + 1')).toBe('2');
    server.kill('SIGTERM');
    expect((await client.exited).code).toBe(1);
    expect(client.stderr).toMatch(/\nanode: the console at 127\.0\.0\.1:\d+ closed the connection: the console server is closing\n$/);
  });

  it('runs multi-line entries and dot-commands locally, and mirrors program output with .console on', async () => {
    const { address } = await serve();
    const client = startAnode(['connect', address]);
    await client.waitForPrompt();
    client.send('function twice(x) {');
    client.send('  return 2 * x;');
    expect(await client.evaluate('}')).toMatch(/^(\.\.\. )*undefined$/);
    expect(await client.evaluate('twice(21)')).toBe('42');
    expect(await client.evaluate('.console on')).toContain("The program's console output is shown here.");
    // The mirrored line and the entry's own result come in any order: both are waited for, so the next
    // entry's answer is its own.
    const from = client.stderr.length;
    client.send('globalThis.action = "chatter"');
    await Promise.all([client.waitFor(/\[program\] chatter \{ tick: \d+ \}/, { from }), client.waitFor(/'chatter'\n> /, { from })]);
    await client.evaluate('globalThis.action = undefined');
    // .scope is read by the served program (the entry module's variables, live).
    const listing = await client.evaluate('.scope');
    // (A mirrored line of the program's may still come first.)
    expect(listing).toMatch(/(^|\n)Top-level variables of \S*controlled\.js \(ES module\):\n  timer: Timeout \{/);
    expect(await client.evaluate('.scope no-such-file.js')).toMatch(/cannot find/);
    client.end();
    expect((await client.exited).code).toBe(0);
  });
});

describe('anode connect to startInteractiveServer over a unix socket', () => {
  it('evaluates in the program; aprint writes to this console and ainput reads from it', async () => {
    const dir = await tempDir();
    const socketPath = path.join(dir, 'backdoor.sock');
    const child = spawn(process.execPath, [path.join(TEST_FIXTURES, 'backdoor.js'), `unix:${socketPath}`], { cwd: ROOT, stdio: 'pipe' });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    track({ description: 'backdoor.js', output: () => out, kill: () => killPid(child.pid!) });
    await new Promise<void>((resolve, reject) => {
      const check = (): void => void (/ready /.test(out) && resolve());
      child.stdout.on('data', check);
      child.once('exit', () => reject(new Error(`backdoor.js exited:\n${out}`)));
    });
    const client = startAnode(['connect', `unix:${socketPath}`]);
    await client.waitForPrompt();
    expect(client.stderr).toMatch(/^backdoor\n/);
    expect(await client.evaluate('secretOfTheProgram')).toBe('42');
    const printed = await client.evaluate("await (await import('anode')).aprint('hello from aprint'); 'done'");
    expect(printed).toBe("hello from aprint\n'done'");
    // ainput in the program reads its line from this terminal.
    const from = client.stderr.length;
    client.send("'hi ' + await (await import('anode')).ainput('name? ')");
    await client.waitFor('name? ', { from });
    expect(await client.evaluate('Ada')).toBe("'hi Ada'");
    // The embedded console mirrors the program's own console output too, and completes.
    expect(await client.evaluate('.console on')).toBe("The program's console output is shown here.");
    const mirrored = client.stderr.length;
    client.send("console.warn('from the program'), 1");
    await client.waitFor('[program!] from the program\n', { from: mirrored }); // before or after the `1`
    client.end();
    expect((await client.exited).code).toBe(0);
    expect(out).not.toContain('hello from aprint');
    expect(out).toContain('from the program');
  });
});

describe('protocol versions and bad messages', () => {
  it('answers a bad message with an error and goes on; an interrupt stops the running entry', async () => {
    const { address } = await serve();
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const socket = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => socket.destroy());
    socket.setEncoding('utf8');
    let text = '';
    const messages: Array<Record<string, unknown>> = [];
    const notices: string[] = [];
    socket.on('data', (d: string) => {
      text += d;
      const lines = text.split('\n');
      text = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('{')) messages.push(JSON.parse(l) as Record<string, unknown>);
        else notices.push(l);
      }
    });
    const next = async (type: string): Promise<Record<string, unknown>> => {
      const at = await waitUntil(
        () => messages.findIndex((m) => m.type === type) + 1,
        () => `no '${type}' message; got ${JSON.stringify(messages)} ${text}`,
      );
      return messages.splice(at - 1, 1)[0]!;
    };
    await once(socket, 'connect');
    socket.write('anode-protocol {"type":"hello","version":1}\n');
    socket.write('this is not json\n{"type":"eval","id":"x"}\n');
    expect(await next('error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/not a JSON message/) });
    expect(await next('error')).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/integer 'id'/) });
    socket.write('{"type":"eval","id":1,"code":"while (true) {}"}\n{"type":"eval","id":2,"code":"1"}\n');
    expect(await next('error')).toMatchObject({ id: 2, code: 'busy' });
    socket.write('{"type":"interrupt","id":1}\n');
    expect(await next('result')).toMatchObject({ id: 1, kind: 'interrupted' });
    socket.write('{"type":"eval","id":3,"code":"40 + 2"}\n{"type":"complete","id":4,"line":"globalThis.tic"}\n');
    expect(await next('result')).toEqual({ type: 'result', id: 3, kind: 'value', text: '42' });
    expect(await next('completions')).toMatchObject({ id: 4, candidates: ['ticks'], prefix: 'tic' });
    // The server's line limit holds for JSON lines too: the line is dropped, the session goes on.
    socket.write(`{"type":"eval","id":5,"code":"'${'x'.repeat(1_100_000)}'"}\n`);
    socket.write('{"type":"eval","id":6,"code":"6 * 7"}\n');
    expect(await next('error')).toMatchObject({ id: 5, code: 'line-too-long', limit: 1048576, message: expect.stringMatching(/^line too long \(\d+ bytes, limit 1048576\); discarded$/) });
    expect(await next('result')).toEqual({ type: 'result', id: 6, kind: 'value', text: '42' });
    expect(notices.filter((n) => n.includes('line too long'))).toEqual([]);
    socket.end('{"type":"bye"}\n');
    await once(socket, 'close');
  });

  it('anode connect reports an entry the server discards as too long, and goes on', async () => {
    const { address } = await serve();
    const client = startAnode(['connect', address]);
    await client.waitForPrompt();
    // Under the client's own limit in characters, over the server's 1 MiB once JSON-escaped.
    const out = await client.evaluate(`'${'\x01'.repeat(300_000)}'.length`);
    expect(out).toMatch(/^anode: line too long \(\d+ bytes, limit 1048576\); discarded$/);
    expect(await client.evaluate('1 + 1')).toBe('2');
    client.end();
    expect((await client.exited).code).toBe(0);
  });

  it('a client speaking another version gets a clear error; the server goes on serving', async () => {
    const { server, address } = await serve();
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const socket = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => socket.destroy());
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (d: string) => (text += d));
    await once(socket, 'connect');
    socket.write('anode-protocol {"type":"hello","version":999}\n');
    await once(socket, 'close');
    const line = text.split('\n').find((l) => l.includes('anode-protocol '));
    expect(line).toBeDefined();
    const answer = JSON.parse(line!.slice(line!.indexOf('anode-protocol ') + 'anode-protocol '.length)) as Record<string, unknown>;
    expect(answer).toMatchObject({ type: 'error', code: 'version', version: 1 });
    expect(answer.message).toMatch(/speaks anode protocol version 1, the client version 999/);
    await server.waitFor(/refused client 127\.0\.0\.1:\d+: it speaks anode protocol version 999, this server 1/);
    expect((await (await plainClient(address)).evaluate('1 + 1')).trim()).toBe('2');
  });

  it('anode connect refuses a server that answers with another version', async () => {
    // A tiny fake console server: a banner, then a welcome of version 999 to the hello.
    const fake = net.createServer((socket) => {
      socket.write('fake console\n> ');
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        if (d.startsWith('anode-protocol ')) socket.write('anode-protocol {"type":"welcome","version":999,"banner":"","prompt":"> "}\n');
      });
      socket.on('error', () => undefined);
    });
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    cleanups.push(() => new Promise((r) => fake.close(r)));
    const port = (fake.address() as net.AddressInfo).port;
    const client = startAnode(['connect', `127.0.0.1:${port}`]);
    expect((await client.exited).code).toBe(1);
    expect(client.stderr).toMatch(
      /^anode: the console at 127\.0\.0\.1:\d+ speaks anode protocol version 999, this anode version 1: use anodes of the same major version on both sides\n$/,
    );
  });
});
