// `anode attach` and `anode ps` end to end: the built anode against real node programs it did not start.
import { execFileSync, spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { ANODE_BIN, FIXTURES, ROOT } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget, type TargetProcess } from '../helpers/target.js';
import { waitUntil } from '../helpers/wait.js';

const echo = path.join(FIXTURES, 'echo.js');

/** An echo server started with `--inspect-port=0` (activation picks a free port); resolves with its port. */
async function startEcho(nodeFlags: string[] = ['--inspect-port=0']): Promise<{ target: TargetProcess; port: number }> {
  const target = startTarget([...nodeFlags, echo, '0']);
  const m = await target.waitFor(/served on 127\.0\.0\.1:(\d+)/);
  return { target, port: Number(m[1]) };
}

/** Sends one line to the echo server and resolves with its answer. */
async function echoLine(port: number, line: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (d: string) => (text += d));
  socket.write(`${line}\n`);
  await once(socket, 'end');
  socket.destroy();
  return text;
}

/** Runs `anode ...args` to its end. */
async function anode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const a = startAnode(args);
  const { code } = await a.exited;
  return { code, stdout: a.stdout, stderr: a.stderr };
}

describe('anode attach PID', () => {
  it('opens a console in that very process, and leaving closes the inspector it opened', async () => {
    const { target, port } = await startEcho();
    expect(await target.ports()).toEqual([port]);
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    expect(a.stderr).toContain(`attached to fixtures/echo.js (pid ${target.pid}, Node ${process.version})`);
    expect(a.stderr).toContain('leaving closes it again');
    expect(await a.evaluate('process.pid')).toBe(String(target.pid));
    expect(await a.evaluate('await new Promise(r => setTimeout(r, 20, 6 * 7))')).toBe('42');
    expect(await a.evaluate('function twice(n) {', '... ')).toBe('');
    expect(await a.evaluate('return n * 2 }')).toBe('undefined');
    expect(await a.evaluate('twice(4)')).toBe('8');
    expect(await a.evaluate("require('node:path').basename(main ? 'x/y' : '')")).toBe("'y'");
    // While attached: the program serves, and nothing anode did reached its own port.
    expect(await echoLine(port, 'hello')).toBe('hello\n');
    expect(await a.evaluate('[...main.history.values()].flat()')).toBe("[ 'hello' ]");
    expect((await target.ports()).length).toBe(2);
    a.end();
    expect((await a.exited).code).toBe(0);
    await target.waitForPorts([port]);
    expect(isAlive(target.pid)).toBe(true);
    expect(await echoLine(port, 'still there')).toBe('still there\n');
  });

  it('leaves the inspector it opened open while another debugger is connected to it', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const inspectPort = Number((await a.waitFor(/opened its inspector on 127\.0\.0\.1:(\d+)/))[1]);
    const b = startAnode(['attach', `127.0.0.1:${inspectPort}`]);
    await b.waitForPrompt();
    a.end();
    await a.waitFor(`another debugger is connected to the inspector anode opened on 127.0.0.1:${inspectPort}: it was left open`);
    expect((await a.exited).code).toBe(0);
    expect(await b.evaluate('process.pid')).toBe(String(target.pid));
    expect(await target.ports()).toEqual([port, inspectPort].sort((x, y) => x - y));
    b.end();
    expect((await b.exited).code).toBe(0);
    expect(isAlive(target.pid)).toBe(true);
  });

  it('Ctrl-C stops a busy entry; the program keeps serving', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    a.send("process.stdout.write('spinning\\n'); while (true) {}");
    await target.waitFor('spinning');
    a.kill('SIGINT');
    await a.waitFor('Interrupted: the evaluation was stopped; the program keeps running.');
    await a.waitForPrompt();
    expect(await a.evaluate('process.pid')).toBe(String(target.pid));
    expect(await echoLine(port, 'after')).toBe('after\n');
    a.end();
    expect((await a.exited).code).toBe(0);
    await target.waitForPorts([port]);
  });

  it('-e prints each result on stdout, in order, and detaches', async () => {
    const { target, port } = await startEcho();
    const r = await anode(['attach', String(target.pid), '-e', 'process.pid', '-e', '[1, 2].map((x) => x * 2)', '-e', "await Promise.resolve('done')"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${target.pid}\n[ 2, 4 ]\n'done'\n`);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stderr).not.toContain('attached to');
    await target.waitForPorts([port]);
    expect(isAlive(target.pid)).toBe(true);
  });

  it('-e that throws: the error on stderr, exit 1, later -e not run, inspector closed again', async () => {
    const { target, port } = await startEcho();
    const r = await anode(['attach', String(target.pid), '-e', "throw new Error('bad')", '-e', "console.log('never')"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Uncaught Error: bad/);
    await target.waitForPorts([port]);
    expect(target.stdout).not.toContain('never');
  });

  it('-e interrupted by SIGINT stops the entry, detaches and exits 130', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid), '-e', "process.stdout.write('spin\\n'); while (true) {}"]);
    await target.waitFor('spin');
    a.kill('SIGINT');
    expect((await a.exited).code).toBe(130);
    expect(a.stderr).toContain('Interrupted: the evaluation was stopped; the program keeps running.');
    await target.waitForPorts([port]);
    expect(await echoLine(port, 'alive')).toBe('alive\n');
  });

  it('-e that ends the program says so and exits non-zero', async () => {
    const { target } = await startEcho();
    const r = await anode(['attach', String(target.pid), '-e', 'process.exit(3)']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`anode: the program exited during the evaluation (pid ${target.pid})`);
    expect((await target.exited).code).toBe(3);
  });

  it('says when the program exits while attached, with its code', async () => {
    const { target } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    expect(await a.evaluate("setTimeout(() => process.exit(4), 20), 'soon'")).toBe("'soon'");
    await a.waitFor(`anode: the program exited (pid ${target.pid}, code 4)`);
    expect((await a.exited).code).toBe(4);
    expect((await target.exited).code).toBe(4);
  });

  it('says when the program is killed while attached (code unknown: exit 1)', async () => {
    const { target } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    target.kill('SIGTERM');
    await a.waitFor(`anode: the program exited (pid ${target.pid}; killed, or its exit code is unknown)`);
    expect((await a.exited).code).toBe(1);
  });

  it('lets a program that finishes while attached exit, with its exit code', async () => {
    const target = startTarget([
      '--inspect-port=0',
      '-e',
      "console.log('up'); process.stdin.on('data', () => {}); process.stdin.on('end', () => { process.exitCode = 7 })",
    ]);
    await target.waitFor('up');
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    target.child.stdin.end();
    await a.waitFor(`the program exited (pid ${target.pid}, code 7)`);
    expect((await a.exited).code).toBe(7);
    expect((await target.exited).code).toBe(7);
  });

  it('leaving removes the exit listener and the binding anode added', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const before = await a.evaluate("process.listenerCount('exit')");
    a.end();
    expect((await a.exited).code).toBe(0);
    await target.waitForPorts([port]);
    const r = await anode(['attach', String(target.pid), '-e', "process.listenerCount('exit')", '-e', "Object.keys(globalThis).filter((k) => k.startsWith('__anode'))"]);
    expect(r.stdout).toBe(`${Number(before) - 1}\n[]\n`);
  });

  it('uses an inspector that was already listening, and leaves it open', async () => {
    const free = await freePort();
    const { target, port } = await startEcho([`--inspect=127.0.0.1:${free}`]);
    await target.waitForPorts([port, free]);
    const r = await anode(['attach', String(target.pid), '-e', 'process.pid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${target.pid}\n`);
    expect(await target.ports()).toEqual([port, free].sort((x, y) => x - y));
  });
});

describe('anode attach PID: refusals leave the process untouched', () => {
  it('no such pid', async () => {
    const gone = startTarget(['-e', '0']);
    await gone.exited;
    const r = await anode(['attach', String(gone.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: cannot attach to pid ${gone.pid}: there is no such process; \`anode ps\` lists`));
  });

  it('a process that is not Node.js (SIGUSR1 would kill it) is not signalled', async () => {
    const sleeper = startTarget(['30'], { command: 'sleep' });
    await waitUntil(() => readExe(sleeper.pid)?.endsWith('sleep'), () => 'sleep to start');
    const r = await anode(['attach', String(sleeper.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^anode: cannot attach to pid \d+: it is not a Node.js process \(it runs .*sleep.*\); it was left untouched/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // A SIGUSR1 would have killed it (default action).
    expect(isAlive(sleeper.pid)).toBe(true);
    expect(await Promise.race([sleeper.exited, new Promise((r) => setTimeout(r, 100, 'alive'))])).toBe('alive');
  });

  it('a busy inspector port: says which, that the program runs on, and how to start it', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const { target, port } = await startEcho([`--inspect-port=${busy}`]);
      const r = await anode(['attach', String(target.pid)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`its inspector port 127.0.0.1:${busy} is taken by another process (address already in use)`);
      expect(r.stderr).toContain('--inspect-port=0');
      expect(isAlive(target.pid)).toBe(true);
      expect(await target.ports()).toEqual([port]);
      expect(target.stderr).toBe('');
    } finally {
      blocker.close();
    }
  });

  it('activation turned off (permission model): says so, does not signal', async () => {
    const { target, port } = await startEcho(['--experimental-permission', '--allow-fs-read=*', '--no-warnings']);
    const r = await anode(['attach', String(target.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('permission model');
    expect(r.stderr).toContain('left untouched');
    expect(isAlive(target.pid)).toBe(true);
    expect(await target.ports()).toEqual([port]);
  });

  it('activation that times out (the program took SIGUSR1 for itself): says so, program keeps running', async () => {
    const target = startTarget(['--inspect-port=0', '-e', "process.on('SIGUSR1', () => console.log('got usr1')); console.log('up'); setInterval(() => {}, 1000)"]);
    await target.waitFor('up');
    const r = await anode(['attach', String(target.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: pid ${target.pid} opened no inspector port within 5000 ms of SIGUSR1 \\(it listens on no TCP port\\); the program keeps running`));
    await target.waitFor('got usr1');
    expect(isAlive(target.pid)).toBe(true);
  });

  it('--inspect-publish-uid=stderr: says to use the ws:// URL, does not signal', async () => {
    const { target, port } = await startEcho(['--inspect-port=0', '--inspect-publish-uid=stderr']);
    const r = await anode(['attach', String(target.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--inspect-publish-uid=stderr');
    expect(r.stderr).toContain('anode attach ws://');
    expect(await target.ports()).toEqual([port]);
    expect(target.stderr).toBe('');
  });

  it('a program run by `anode run`: its console is the way in', async () => {
    const run = startAnode(['run', echo, '0']);
    await run.waitForPrompt();
    const pid = await run.programPid();
    const r = await anode(['attach', String(pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`anode: pid ${pid} runs under \`anode run\``);
    expect(await run.evaluate('process.pid')).toBe(String(pid));
  });

  it("another user's process: refused without signalling it", async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip('needs root to run anode as user nobody against a process of its own');
    const setpriv = which('setpriv');
    if (!setpriv) return ctx.skip('setpriv is not installed');
    const { target, port } = await startEcho();
    // anode runs as nobody; the target is root's: root's right to signal anything is out of the picture.
    const r = await runAsNobody(setpriv, ['attach', String(target.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: cannot attach to pid ${target.pid}: it belongs to root and this user may not signal it; run anode as that user`));
    expect(isAlive(target.pid)).toBe(true);
    expect(await target.ports()).toEqual([port]);
    expect(target.stderr).toBe('');
  });
});

describe('anode attach HOST:PORT and ws://', () => {
  it('connects to a given inspector by HOST:PORT and by ws URL, and shows the process', async () => {
    const { target, port } = await startEcho(['--inspect=127.0.0.1:0']);
    const m = await target.waitFor(/Debugger listening on (ws:\/\/127\.0\.0\.1:(\d+)\/[\w-]+)/, 'stderr');
    const [, wsUrl, inspectPort] = m;
    const byAddress = await anode(['attach', `127.0.0.1:${inspectPort}`, '-e', 'process.pid', '-e', "process.argv[2]"]);
    expect(byAddress).toMatchObject({ code: 0, stdout: `${target.pid}\n'0'\n` });
    const byUrl = await anode(['attach', wsUrl!, '-e', 'process.pid']);
    expect(byUrl).toMatchObject({ code: 0, stdout: `${target.pid}\n` });
    // Interactive: the banner names the program.
    const a = startAnode(['attach', `localhost:${inspectPort}`]);
    await a.waitForPrompt();
    expect(a.stderr).toContain(`attached to fixtures/echo.js (pid ${target.pid}, Node ${process.version})`);
    a.end();
    expect((await a.exited).code).toBe(0);
    // An inspector anode did not open stays as it was.
    expect(await target.ports()).toEqual([port, Number(inspectPort)].sort((x, y) => x - y));
    expect(isAlive(target.pid)).toBe(true);
  });

  it('a port with no inspector, and a bad target, are one-line errors', async () => {
    const closed = await freePort();
    const r = await anode(['attach', `127.0.0.1:${closed}`, '-e', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: cannot connect to the inspector at 127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));
    const bad = await anode(['attach', 'no-such-thing']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("anode: cannot attach to 'no-such-thing': give a pid, HOST:PORT of an inspector, or its ws:// URL");
  });
});

describe('anode ps', () => {
  it("lists this user's node processes with their inspectors", async () => {
    const plain = await startEcho();
    const inspected = await startEcho(['--inspect=127.0.0.1:0']);
    const fixed = await freePort();
    const listening = await startEcho([`--inspect=127.0.0.1:${fixed}`]);
    await listening.target.waitForPorts([listening.port, fixed]);
    const r = await anode(['ps']);
    expect(r.code).toBe(0);
    const line = (pid: number): string => r.stdout.split('\n').find((l) => l.trim().startsWith(`${pid} `)) ?? '';
    expect(line(plain.target.pid)).toMatch(/^\s*\d+\s+-\s+.*node --inspect-port=0 .*echo\.js 0$/);
    expect(line(inspected.target.pid)).toContain('open, port unknown');
    expect(line(listening.target.pid)).toContain(`127.0.0.1:${fixed}`);
  });
});

describe.sequential('anode attach PID: the default inspector port', () => {
  it('attaches to a program started plainly (9229) and closes 9229 again', async (ctx) => {
    if (!(await canListen(9229))) return ctx.skip('127.0.0.1:9229 is in use on this machine');
    const { target, port } = await startEcho([]);
    const r = await anode(['attach', String(target.pid), '-e', 'process.pid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${target.pid}\n`);
    expect(target.stderr).toContain('Debugger listening on ws://127.0.0.1:9229/');
    await target.waitForPorts([port]);
  });
});

function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** Runs the built anode as user nobody (setpriv), to its end. */
async function runAsNobody(setpriv: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ANODE_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}
