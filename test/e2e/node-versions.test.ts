// The same console on every supported Node.js line: `anode run --node BIN` and `anode attach` against a
// target running each line of test/helpers/node-versions.ts (20, 22, 24, 24.9.0, 26; the running node
// stands for its own line). The other binaries come from `npm run nodes`
// (test/node-versions/); a version that is not installed is skipped with the reason, never silently.
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { anode, echo, echoLine, freePort } from '../helpers/attach.js';
import { NODE_LINES, nodeBinary } from '../helpers/node-versions.js';
import { isAlive } from '../helpers/processes.js';
import { startTarget } from '../helpers/target.js';

const versions = NODE_LINES;

/** What every console must do the same way, whatever the target's version. */
async function exercise(a: ReturnType<typeof startAnode>, version: string, spinning: () => Promise<unknown>): Promise<void> {
  expect(await a.evaluate('process.version')).toBe(`'${version}'`);
  expect(await a.evaluate('await new Promise((r) => setTimeout(r, 10, 6 * 7))')).toBe('42');
  expect(await a.evaluate("[1, 'a', { x: null, y: [new Map([[1, 2]])] }]")).toBe("[ 1, 'a', { x: null, y: [ [Map] ] } ]");
  expect(await a.evaluate('null.x')).toMatch(/^Uncaught TypeError: Cannot read properties of null \(reading 'x'\)/);
  expect(await a.evaluate("require('node:path').basename('/a/b.js')")).toBe("'b.js'");
  expect(await a.evaluate("(await import('node:os')).EOL === '\\n'")).toBe('true');
  expect(await a.evaluate('const k = 1; const k2 = k + 1; k2')).toBe('2');
  expect(await a.evaluate('[...main.history.values()]')).toBe('[]');
  // The console bindings ainput / aprint: this console's user, not the program's stdio.
  expect(await a.evaluate("const who = await ainput('who? ')\nada")).toBe('who? undefined');
  expect(await a.evaluate('await aprint(who, [1])')).toBe('ada [ 1 ]\nundefined');
  // Interrupting code stuck in a loop (SIGINT to a piped anode is its Ctrl-C).
  const from = a.stderr.length;
  a.send("process.stdout.write('spinning\\n'); while (true) {}");
  await spinning();
  a.kill('SIGINT');
  await a.waitFor('Interrupted: the evaluation was stopped', { from });
  await a.waitForPrompt();
  expect(await a.evaluate('_error === undefined ? "kept" : "kept"')).toBe("'kept'");
}

describe.each(versions)('Node $line', ({ line, bin }) => {
  it('anode run --node: the console, and the exit code', async (ctx) => {
    const node = nodeBinary(ctx, { line, bin });
    const a = startAnode(['run', '--node', node, echo, '0']);
    await a.waitForPrompt();
    const version = (await a.evaluate('process.version')).slice(1, -1);
    expect(version === line || version.startsWith(`${line}.`)).toBe(true);
    expect(a.stderr).toContain(`(pid ${await a.programPid()}, Node ${version})`);
    await exercise(a, version, () => a.waitFor('spinning', { stream: 'stdout' }));
    a.send('process.exit(3)');
    expect((await a.exited).code).toBe(3);
  });

  it('anode attach: the console, then leaving closes the inspector it opened', async (ctx) => {
    const node = nodeBinary(ctx, { line, bin });
    const target = startTarget(['--inspect-port=0', echo, '0'], { command: node });
    const port = Number((await target.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
    const a = startAnode(['attach', '--no-console', String(target.pid)]);
    await a.waitForPrompt();
    expect(a.stderr).toContain('leaving closes it again');
    const version = (await a.evaluate('process.version')).slice(1, -1);
    expect(version === line || version.startsWith(`${line}.`)).toBe(true);
    await exercise(a, version, () => target.waitFor('spinning'));
    expect(await echoLine(port, 'hello')).toBe('hello\n');
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stderr).not.toContain('could not close');
    await target.waitForPorts([port]);
    expect(isAlive(target.pid)).toBe(true);
    // Again (the inspector reopens after being closed), and this time the program ends with its code.
    const b = startAnode(['attach', '--no-console', String(target.pid)]);
    await b.waitForPrompt();
    b.send("setTimeout(() => process.exit(4), 20), 'soon'"); // the exit may come before the next prompt
    await b.waitFor("'soon'");
    expect((await b.exited).code).toBe(4);
    expect(b.stderr).toContain(`the program exited (pid ${target.pid}, code 4)`);
    expect((await target.exited).code).toBe(4);
  });

  it('anode attach to a program held by --inspect-wait (Node 22+): it starts, and the console works', async (ctx) => {
    const node = nodeBinary(ctx, { line, bin });
    if (line === 'v20') ctx.skip('Node 20 has no --inspect-wait');
    const inspectPort = await freePort();
    const target = startTarget([`--inspect-wait=127.0.0.1:${inspectPort}`, echo, '0'], { command: node });
    await target.waitFor('Debugger listening', 'stderr');
    expect(target.stdout).toBe('');
    const a = startAnode(['attach', '--no-console', String(target.pid)]);
    await a.waitForPrompt();
    const port = Number((await target.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
    expect(await a.evaluate('[...main.history.values()]')).toBe('[]');
  // The console bindings ainput / aprint: this console's user, not the program's stdio.
  expect(await a.evaluate("const who = await ainput('who? ')\nada")).toBe('who? undefined');
  expect(await a.evaluate('await aprint(who, [1])')).toBe('ada [ 1 ]\nundefined');
    expect(await echoLine(port, 'hi')).toBe('hi\n');
    expect(await a.evaluate('[...main.history.values()].flat()')).toBe("[ 'hi' ]");
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(isAlive(target.pid)).toBe(true);
  });

  it('--disable-sigusr1 (Node 22.14+): attach refuses without signalling', async (ctx) => {
    const node = nodeBinary(ctx, { line, bin });
    if (line === 'v20') ctx.skip('Node 20 has no --disable-sigusr1');
    const target = startTarget(['--disable-sigusr1', echo, '0'], { command: node });
    const port = Number((await target.waitFor(/served on 127\.0\.0\.1:(\d+)/))[1]);
    const r = await anode(['attach', String(target.pid), '-e', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^anode: cannot open the inspector of pid \d+: it was started with --disable-sigusr1/);
    expect(await target.ports()).toEqual([port]);
    expect(await echoLine(port, 'alive')).toBe('alive\n');
  });
});
