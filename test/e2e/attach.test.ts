// `anode attach PID` end to end: the built anode against real node programs it did not start; the console,
// -e, leaving, and the program ending while attached.
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { anode, echoLine, freePort, startEcho } from '../helpers/attach.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';

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

  it('closes the inspector it opened even when anode is killed with SIGKILL', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    expect((await target.ports()).length).toBe(2);
    a.child.kill('SIGKILL');
    await a.exited;
    await target.waitForPorts([port]);
    expect(isAlive(target.pid)).toBe(true);
    expect(await echoLine(port, 'after')).toBe('after\n');
  });

  it('closes the inspector it opened even while another debugger is connected to it, and says so', async () => {
    const { target, port } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    const inspectPort = Number((await a.waitFor(/opened its inspector on 127\.0\.0\.1:(\d+)/))[1]);
    const b = startAnode(['attach', `127.0.0.1:${inspectPort}`]);
    await b.waitForPrompt();
    a.end();
    await a.waitFor(`closing the inspector anode opened on 127.0.0.1:${inspectPort} although 2 other connections are open to it`);
    expect((await a.exited).code).toBe(0);
    await target.waitForPorts([port]);
    await b.waitFor('the inspector connection closed');
    expect((await b.exited).code).toBe(1);
    expect(isAlive(target.pid)).toBe(true);
    expect(await echoLine(port, 'after')).toBe('after\n');
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
    // The program may exit before the next prompt is drawn: wait for the result, not the prompt.
    a.send("setTimeout(() => process.exit(4), 20), 'soon'");
    await a.waitFor("'soon'");
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
