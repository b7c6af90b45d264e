// `anode attach` refusals (each leaves the process untouched), HOST:PORT and ws:// targets, `anode ps`: the
// built anode against real processes. (The default inspector port 9229: default-port.test.ts.)
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROCESS_TABLE_ENV } from '../../src/program/process-table.js';
import { startAnode } from '../helpers/anode.js';
import { anode, echo, freePort, readExe, runAsNobody, startEcho, which } from '../helpers/attach.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';
import { waitUntil } from '../helpers/wait.js';

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
    // Node 22.13+ names it --permission; 26 no longer takes the experimental name.
    const permission = Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
    // Node 25+ puts the network under the permission model too: the echo server needs --allow-net to listen.
    const net = process.allowedNodeEnvironmentFlags.has('--allow-net') ? ['--allow-net'] : [];
    const { target, port } = await startEcho([permission, '--allow-fs-read=*', ...net, '--no-warnings']);
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
    const r = await anode(['attach', String(target.pid), '--timeout', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: pid ${target.pid} opened no inspector port within 1000 ms of SIGUSR1 \\(it listens on no TCP port\\); the program keeps running`));
    await target.waitFor('got usr1');
    expect(isAlive(target.pid)).toBe(true);
  });

  it('a process in another network namespace (a container): refused before signalling', async (ctx) => {
    const unshare = which('unshare');
    if (!unshare) return ctx.skip('unshare is not installed');
    if (process.env[PROCESS_TABLE_ENV] === 'portable') return ctx.skip('network namespaces are Linux\'s: ps and lsof do not show them');
    const target = startTarget(['--net', process.execPath, '--inspect-port=0', '-e', "console.log('up'); setInterval(() => {}, 1000)"], { command: unshare });
    const started = await Promise.race([target.waitFor('up').then(() => true), target.exited.then(() => false)]);
    if (!started) return ctx.skip(`cannot create a network namespace here: ${target.stderr.trim()}`);
    const r = await anode(['attach', String(target.pid)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`anode: pid ${target.pid} runs in another network namespace`);
    expect(target.stderr).toBe('');
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
    expect(a.stderr).toContain(`inspector localhost:${inspectPort}; leaving detaches`);
    a.send('.exit');
    expect((await a.exited).code).toBe(0);
    // An inspector anode did not open stays as it was.
    expect(await target.ports()).toEqual([port, Number(inspectPort)].sort((x, y) => x - y));
    expect(isAlive(target.pid)).toBe(true);
  });

  it('an inspector that hides its URL (--inspect-publish-uid=stderr): HOST:PORT says so, the ws URL works', async () => {
    const { target } = await startEcho(['--inspect=127.0.0.1:0', '--inspect-publish-uid=stderr']);
    const [, wsUrl, inspectPort] = await target.waitFor(/Debugger listening on (ws:\/\/127\.0\.0\.1:(\d+)\/[\w-]+)/, 'stderr');
    const byAddress = await anode(['attach', `127.0.0.1:${inspectPort}`]);
    expect(byAddress.code).toBe(1);
    expect(byAddress.stderr).toContain(`anode: the inspector at 127.0.0.1:${inspectPort} does not publish its URL over HTTP`);
    const byUrl = await anode(['attach', wsUrl!, '-e', 'process.pid']);
    expect(byUrl).toMatchObject({ code: 0, stdout: `${target.pid}\n` });
  });

  it('a port with no inspector, and a bad target, are one-line errors', async () => {
    const closed = await freePort();
    const r = await anode(['attach', `127.0.0.1:${closed}`, '-e', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^anode: cannot connect to the inspector at 127\\.0\\.0\\.1:${closed}: nothing listens there: is the program started with --inspect\\?`));
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
