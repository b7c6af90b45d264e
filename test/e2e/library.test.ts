// The library: interact/aeval/ainput/aprint in this process with in-memory streams (real node:inspector),
// and startInteractiveServer in a real program over real sockets.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { aeval, ainput, aprint, interact, startInteractiveServer, AbortedError, EndOfInputError, OutputClosedError, UsageError } from '../../dist/index.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { ROOT, TEST_FIXTURES } from '../helpers/paths.js';
import { killPid, track } from '../helpers/processes.js';
import { matches, waitUntil } from '../helpers/wait.js';

// The test runner is not inside the package, so the console imports the built library by its URL.
const DIST_INDEX = new URL('../../dist/index.js', import.meta.url).href;

function streams(): { input: PassThrough; output: PassThrough; text: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { input, output, text: () => text };
}

describe('interact', () => {
  it('evaluates in this process: await, redeclaration, errors, object literals, .exit', async () => {
    const s = streams();
    (globalThis as Record<string, unknown>).hostValue = 'from the test';
    s.input.end(
      ['1 + 1', 'let z = 3', 'let z = 4; z', 'await new Promise((r) => setTimeout(r, 10, 7))', 'null.x', '{ a: 1 }', 'hostValue', '.exit', '99'].join('\n') + '\n',
    );
    const end = await interact({ input: s.input, output: s.output, banner: 'test' });
    expect(end).toBe('exit');
    const lines = s.text().split('\n');
    expect(lines.slice(0, 5)).toEqual(['test', '> 2', '> undefined', '> 4', '> 7']);
    expect(lines[5]).toMatch(/^> Uncaught TypeError: Cannot read properties of null \(reading 'x'\)/);
    expect(s.text()).toContain("> { a: 1 }\n> 'from the test'\n> ");
    expect(s.text()).not.toContain('99');
  });

  it('resolves at end of input', async () => {
    const s = streams();
    s.input.end('6 * 7\n');
    expect(await interact({ input: s.input, output: s.output, banner: '' })).toBe('eof');
    expect(s.text()).toBe('> 42\n> ');
  });
});

describe('interact with an AbortSignal', () => {
  it('aborting ends the console and rejects with AbortedError; an entry before it ran', async () => {
    const s = streams();
    const controller = new AbortController();
    const run = interact({ input: s.input, output: s.output, banner: '', signal: controller.signal });
    s.input.write('20 + 22\n');
    await new Promise<void>((resolve) => {
      const check = (): void => void (s.text().includes('42') && resolve());
      s.output.on('data', check);
      check();
    });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    // Already aborted: rejects at once.
    await expect(interact({ input: s.input, output: s.output, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('startInteractiveServer as a net.Server', () => {
  it('address() gives { address, port }, close() takes a callback and returns a promise, events are forwarded', async () => {
    const server = await startInteractiveServer({ port: 0, banner: '' });
    const address = server.address() as { address: string; port: number };
    expect(address.address).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(server.endpoint).toBe(`127.0.0.1:${address.port}`);
    expect(server.listening).toBe(true);
    const closed = new Promise((resolve) => server.once('close', resolve));
    let called = false;
    await server.close(() => (called = true));
    await closed;
    expect(called).toBe(true);
    expect(server.listening).toBe(false);
  });

  it('contradictory options ({ path, port }) are a UsageError', async () => {
    await expect(startInteractiveServer({ path: '/nonexistent/x.sock', port: 1 })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('aeval', () => {
  it('resolves to the value itself, with top-level await and redeclaration', async () => {
    const m = await aeval('let m = new Map([[1, { deep: [1n] }]]); await null; m');
    expect(m).toBeInstanceOf(Map);
    expect((m as Map<number, { deep: bigint[] }>).get(1)!.deep[0]).toBe(1n);
    expect(await aeval('let m = 5; m')).toBe(5);
    expect(await aeval('{ a: 1 }')).toEqual({ a: 1 });
    expect(await aeval('undefined')).toBeUndefined();
    expect(Number.isNaN(await aeval('NaN'))).toBe(true);
  });

  it('rejects with the thrown value', async () => {
    await expect(aeval('null.x')).rejects.toBeInstanceOf(TypeError);
    await expect(aeval('throw 5')).rejects.toBe(5);
  });

  it('can be aborted', async () => {
    const controller = new AbortController();
    const pending = aeval('await new Promise(() => {})', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('ainput / aprint', () => {
  it('reads lines one at a time and leaves the rest', async () => {
    const s = streams();
    s.input.write('first\nsecond\r\n');
    expect(await ainput('name? ', { input: s.input, output: s.output })).toBe('first');
    expect(await ainput('', { input: s.input, output: s.output })).toBe('second');
    expect(s.text()).toBe('name? ');
  });

  it('rejects with EndOfInputError at EOF (also after a partial line)', async () => {
    const s = streams();
    s.input.end('partial');
    const err = await ainput('> ', { input: s.input, output: s.output }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndOfInputError);
    expect((err as EndOfInputError).code).toBe('ANODE_EOF');
  });

  it('is cancelled by an AbortSignal, and the stream stays usable', async () => {
    const s = streams();
    const controller = new AbortController();
    const pending = ainput('? ', { input: s.input, output: s.output, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ANODE_ABORTED' });
    s.input.write('later\n');
    expect(await ainput('', { input: s.input, output: s.output })).toBe('later');
  });

  it('aprint to a closed stream rejects (a positive control prints)', async () => {
    const s = streams();
    await aprint('open', { output: s.output });
    expect(s.text()).toBe('open\n');
    s.output.end();
    await expect(aprint('closed', { output: s.output })).rejects.toBeInstanceOf(OutputClosedError);
    s.output.destroy();
    await expect(aprint('destroyed', { output: s.output })).rejects.toBeInstanceOf(OutputClosedError);
  });

  it('aprint joins values like print, with sep and end', async () => {
    const s = streams();
    await aprint('a', 1, { b: [2] }, { output: s.output });
    await aprint('x', 'y', { output: s.output, sep: '-', end: '!\n' });
    expect(s.text()).toBe("a 1 { b: [ 2 ] }\nx-y!\n");
  });

  it('inside interact, uses that console\'s streams', async () => {
    const s = streams();
    s.input.write(`const { ainput: ai, aprint: ap } = await import(${JSON.stringify(DIST_INDEX)})\n`);
    s.input.write('await ap("hello from inside"); await ai("who? ")\n');
    const done = interact({ input: s.input, output: s.output, banner: '' });
    await waitText(s.text, 'who? ');
    s.input.end('Ada\n');
    await done;
    expect(s.text()).toContain("hello from inside\nwho? 'Ada'\n> ");
  });

  it('inside interact, an answer that arrives with its question (one piped chunk) is the answer, not code', async () => {
    const s = streams();
    s.input.end(
      `const { ainput: ai } = await import(${JSON.stringify(DIST_INDEX)})\nawait ai("who? ")\nAda Lovelace\n[await ai("and? "), 1 + 1]\nBob\n`,
    );
    await interact({ input: s.input, output: s.output, banner: '' });
    expect(s.text()).toBe("> undefined\n> who? 'Ada Lovelace'\n> and? [ 'Bob', 2 ]\n> ");
  });
});

/** Waits until `text()` matches `pattern`. */
async function waitText(text: () => string, pattern: string | RegExp, timeoutMs = 10_000): Promise<void> {
  await waitUntil(() => matches(text(), pattern), () => `${String(pattern)}; got:\n${text()}`, timeoutMs);
}

function startBackdoor(args: string[] = []) {
  const child = spawn(process.execPath, [`${TEST_FIXTURES}backdoor.js`, ...args], { cwd: ROOT, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const handle = {
    child,
    output: () => `[stdout]\n${out}\n[stderr]\n${err}`,
    description: 'backdoor.js',
    kill: () => killPid(child.pid!),
    async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      await waitText(() => out, pattern, 15_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${handle.output()}`);
      });
      return matches(out, pattern)!;
    },
  };
  track(handle);
  return handle;
}

describe('startInteractiveServer', () => {
  it('serves one console per client into the program, outputs kept apart, ainput on the client', async () => {
    const program = startBackdoor();
    const address = (await program.waitFor(/ready (\S+)\n/))[1]!;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const a = await connectClient(address);
    const b = await connectClient(address);
    await Promise.all([a.waitFor(/\n> $/), b.waitFor(/\n> $/)]);
    expect(a.text).toMatch(/^backdoor\n/);
    expect(await a.evaluate('secretOfTheProgram')).toBe('42');
    expect(await a.evaluate('let mine = "A-only"; mine')).toBe("'A-only'");
    expect(await b.evaluate('"B-only"')).toBe("'B-only'");
    expect(await b.evaluate('const { aprint, ainput } = await import("anode")')).toBe('undefined');
    b.send('await aprint("to b"); await ainput("b says? ")');
    await b.waitFor('b says? ');
    b.send('yes');
    await b.waitFor(/'yes'\n> $/);
    expect(a.text).not.toMatch(/B-only|to b|b says/);
    expect(b.text).not.toContain('A-only');
    // close() ends every client and the listener.
    program.child.stdin.write('close\n');
    await Promise.all([a.closed, b.closed]);
    expect(a.text).toMatch(/anode: the console server is closing\n$/);
    await program.waitFor(/closed\n/);
  });

  it('serves on a unix socket', async (ctx) => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(`${(process.env.TMPDIR ?? '/tmp').replace(/\/$/, '')}/anode-lib-`));
    ctx.onTestFinished(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })));
    const program = startBackdoor([`unix:${dir}/s.sock`]);
    const address = (await program.waitFor(/ready (\S+)\n/))[1]!;
    const c: LineClient = await connectClient(address);
    await c.waitFor(/\n> $/);
    expect(await c.evaluate('1 + 1')).toBe('2');
    c.destroy();
  });
});
