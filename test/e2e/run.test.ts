// `anode run` end to end: the built anode against real node programs, over pipes.
import { mkdtemp, mkdir, writeFile, symlink, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { FIXTURES, TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { waitUntil } from '../helpers/wait.js';

const controlled = path.join(TEST_FIXTURES, 'controlled.js');

describe('anode run: the console', () => {
  it('evaluates a piped transcript like the Node REPL, results on stderr only', async () => {
    const a = startAnode(['run', controlled, 'a', 'b'], { env: { CONTROLLED_QUIET: '' } });
    // The program's first stderr line and the first prompt come in either order.
    await Promise.all([a.waitFor('controlled stderr line\n'), a.waitFor(/(^|\n)> /)]);
    expect(await a.evaluate('1+1')).toBe('2');
    expect(await a.evaluate('let x = 1')).toBe('undefined');
    expect(await a.evaluate('let x = 2')).toBe('undefined');
    expect(await a.evaluate('x')).toBe('2');
    expect(await a.evaluate('await new Promise(r => setTimeout(r, 50, 3))')).toBe('3');
    expect(await a.evaluate('{a: 1}')).toBe('{ a: 1 }');
    expect(await a.evaluate("'str'")).toBe("'str'");
    expect(await a.evaluate('new Map([[1, {b: [1, 2]}]])')).toBe('Map(1) { 1 => { b: [ 1, 2 ] } }');
    expect(await a.evaluate('[1n, NaN, -0, undefined, null, Symbol("s")]')).toBe("[ 1n, NaN, -0, undefined, null, Symbol(s) ]");
    expect(await a.evaluate('process.argv.slice(2)')).toBe("[ 'a', 'b' ]");
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stdout).toBe('controlled ready a b\n');
    expect(a.stderr).toContain('controlled stderr line\n');
    expect(a.stderr).not.toMatch(/Debugger (attached|listening)|For help, see|Waiting for the debugger/);
  });

  it('continues incomplete input on a "... " prompt', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    expect(await a.evaluate('function twice(n) {', '... ')).toBe('');
    expect(await a.evaluate('  return n * 2', '... ')).toBe('');
    expect(await a.evaluate('}')).toBe('undefined');
    expect(await a.evaluate('twice(21)')).toBe('42');
    expect(await a.evaluate('class A {', '... ')).toBe('');
    expect(await a.evaluate('  get v() { return `t${1 +', '... ')).toBe('');
    expect(await a.evaluate('1}` } }')).toBe('undefined');
    expect(await a.evaluate('new A().v')).toBe("'t2'");
    expect(await a.evaluate('.break')).toBe('');
  });

  it('keeps going after a throw and a syntax error; _ and _error follow', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const thrown = await a.evaluate("throw new Error('boom')");
    // As in Node's REPL: no frame of the entry's own top level.
    expect(thrown).toBe('Uncaught Error: boom');
    expect(await a.evaluate('function f() {', '... ')).toBe('');
    expect(await a.evaluate('  return null.y', '... ')).toBe('');
    expect(await a.evaluate('}')).toBe('undefined');
    // Positions as typed, as in Node's REPL (anode's own additions to the entry do not show).
    expect(await a.evaluate('let v = 1; f()')).toMatch(/^Uncaught TypeError: .*\n\s+at f \(REPL\d+:2:15\)$/);
    expect(await a.evaluate('foo bar')).toBe("foo bar\n    ^^^\n\nUncaught SyntaxError: Unexpected identifier 'bar'");
    expect(await a.evaluate("throw 'plain'")).toBe("Uncaught 'plain'");
    expect(await a.evaluate('_error')).toBe("'plain'");
    expect(await a.evaluate('[1, 2, 3]')).toBe('[ 1, 2, 3 ]');
    expect(await a.evaluate('_.length')).toBe('3');
    expect(await a.evaluate('40 + 2')).toBe('42');
    expect(await a.evaluate('_ + 1')).toBe('43');
    expect(await a.evaluate('_ = 5')).toBe('Expression assignment to _ now disabled.\n5');
    expect(await a.evaluate('1')).toBe('1');
    expect(await a.evaluate('_')).toBe('5');
    expect(await a.evaluate('ticks > 0')).toBe('true');
  });

  it('a rejected promise shown as a result does not end the program (it would, unhandled)', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    expect(await a.evaluate("Promise.reject(new Error('r'))")).toMatch(/^Promise \{\n  <rejected> Error: r\n/);
    expect(await a.evaluate('await _')).toMatch(/^Uncaught Error: r\n/);
    expect(await a.evaluate("let later = 1; new Promise((_, no) => setTimeout(no, 20, 'late'))")).toBe('Promise { <pending> }');
    expect(await a.evaluate("await new Promise((r) => setTimeout(r, 60, 'waited'))")).toBe("'waited'");
    expect(await a.evaluate('ticks > 0')).toBe('true');
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('offers main (ESM namespace), require and import() resolving like the program', async () => {
    const a = startAnode(['run', path.join(FIXTURES, 'echo.js'), '0']);
    const m = await a.waitFor(/served on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' });
    await a.waitForPrompt();
    const net = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(Number(m[1]), '127.0.0.1', () => c.write('Hello!\n'));
      c.on('data', () => c.end());
      c.on('close', () => resolve());
      c.on('error', reject);
    });
    expect(await a.evaluate('[...main.history.values()].flat()')).toBe("[ 'Hello!' ]");
    expect(await a.evaluate("require('node:path').sep")).toBe("'/'");
    expect(await a.evaluate("typeof require('commander').Command")).toBe("'function'");
    expect(await a.evaluate("(await import('node:os')).EOL.length")).toBe('1');
    expect(await a.evaluate("await 0; typeof require('node:fs').readFileSync")).toBe("'function'");
    // Nothing anode defines is a property of the program's global object.
    expect(await a.evaluate("['_', 'main', 'require'].filter((k) => k in globalThis)")).toBe('[]');
  });

  it('gives a CommonJS program its module.exports as main', async () => {
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'cjs-app.cjs')]);
    await a.waitForPrompt();
    expect(await a.evaluate("main.hello('you')")).toBe("'hello you'");
    expect(await a.evaluate('typeof main.counter.hits')).toBe("'number'");
  });

  it('passes node flags before FILE to node and arguments after FILE to the program', async () => {
    const a = startAnode(['run', '-r', path.join(TEST_FIXTURES, 'set-flag.cjs'), controlled, '--x', 'y']);
    await a.waitForPrompt();
    expect(await a.evaluate('globalThis.preloaded')).toBe("'yes'");
    expect(await a.evaluate('process.argv.slice(2)')).toBe("[ '--x', 'y' ]");
    // anode's own preload leaves no trace a forked child would inherit.
    expect(await a.evaluate('process.execArgv.some((a) => a.includes("preload"))')).toBe('false');
    expect(await a.evaluate("Object.keys(process.env).filter((k) => k.startsWith('ANODE_'))")).toBe('[]');
  });

  it('--wait holds the program until the console is connected', async () => {
    const held = startAnode(['run', '--wait', path.join(TEST_FIXTURES, 'wait-probe.js')]);
    await held.waitFor('agent at start: object', { stream: 'stdout' });
    await held.waitForPrompt();
    held.end();
    expect((await held.exited).code).toBe(0);
  });

  it('--banner and --prompt replace the defaults', async () => {
    const a = startAnode(['run', '--banner', 'hello there', '--prompt', 'js> ', controlled]);
    await a.waitForPrompt('js> ');
    expect(a.stderr).toContain('hello there\n');
    expect(await a.evaluate('6 * 7', 'js> ')).toBe('42');
  });

  it('`anode` with no program opens a console into an empty node process', async () => {
    const a = startAnode([]);
    await a.waitFor('an empty node process');
    await a.waitForPrompt();
    expect(await a.evaluate('process.argv.length')).toBe('1');
    expect(await a.evaluate("require('node:os').platform()")).toBe(`'${process.platform}'`);
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('-m NAME runs a package executable found in node_modules/.bin', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-m-'));
    await mkdir(path.join(dir, 'node_modules', 'tool', 'bin'), { recursive: true });
    await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    const script = path.join(dir, 'node_modules', 'tool', 'bin', 'tool.js');
    await writeFile(script, "#!/usr/bin/env node\nconsole.log('tool', process.argv.slice(2).join(','));\nsetInterval(() => {}, 1000);\n");
    await chmod(script, 0o755);
    await symlink('../tool/bin/tool.js', path.join(dir, 'node_modules', '.bin', 'tool'));
    const a = startAnode(['run', '-m', 'tool', 'one', 'two'], { cwd: dir });
    await a.waitFor('tool one,two', { stream: 'stdout' });
    await a.waitForPrompt();
    const missing = startAnode(['run', '-m', 'no-such-tool'], { cwd: dir });
    const exit = await missing.exited;
    expect(exit.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe(
      "anode: cannot find program 'no-such-tool': no executable of that name in node_modules/.bin (is the package installed?)",
    );
  });
});

describe('anode run: the program keeps its output', () => {
  it('passes stdout byte for byte and filters only the inspector lines from stderr', async () => {
    const a = startAnode(['run', path.join(TEST_FIXTURES, 'bytes.js')]);
    await a.waitForPrompt();
    await a.waitFor('no newline at end', { stream: 'stdout' });
    a.end();
    await a.exited;
    expect(Buffer.from(a.stdout, 'latin1').length).toBeGreaterThan(0);
    expect(a.child.stdout.readableEncoding).toBe('utf8');
    expect(a.stdout).toBe(`out-1\n${Buffer.from([0x00, 0xff, 0xfe, 0x0a]).toString('utf8')}no newline at end`);
    // The program's stderr lines, in order and unfiltered, wherever they fell among the console's own
    // (the banner and the first prompt may come before or after them).
    const programLines = a.stderr
      .replace(/^anode: console into .*\n|^Top-level await works.*\n/gm, '')
      .replace(/^(> )+/gm, '');
    expect(programLines).toBe('err-1\nDebugger attached (not really)\n');
  });
});

describe('anode run: endings and exit codes', () => {
  it('ends the program and exits 0 at the end of piped input', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const pid = await a.programPid();
    a.end();
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(pid)).toBe(false);
  });

  it('.exit ends the program and exits 0', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const pid = await a.programPid();
    a.send('.exit');
    expect((await a.exited).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it.each([
    ['exit7', 7, /the program exited \(code 7\)/],
    ['crash', 1, /controlled crash[\s\S]*the program exited \(code 1\)/],
    ['finish', 0, /the program exited \(code 0\)/],
  ])('reports a program that ends by itself (%s) and exits with its code', async (action, code, message) => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    a.send(`globalThis.action = '${action}'`);
    expect((await a.exited).code).toBe(code);
    expect(a.stderr).toMatch(message);
    expect(a.stderr).not.toMatch(/Waiting for the debugger/);
  });

  it('process.exit(3) typed into the console ends the program and anode with 3', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    a.send('process.exit(3)');
    expect((await a.exited).code).toBe(3);
    expect(a.stderr).toMatch(/the program exited \(code 3\)\n$/);
  });

  it('reports a program killed by a signal with 128+N', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    process.kill(await a.programPid(), 'SIGKILL');
    expect((await a.exited).code).toBe(137);
    expect(a.stderr).toMatch(/the program exited \(killed by SIGKILL\)/);
  });

  it('SIGTERM to anode stops the program and exits 0', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const pid = await a.programPid();
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('a program outlives no anode: SIGKILL of anode ends the program', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const pid = await a.programPid();
    a.child.kill('SIGKILL');
    await a.exited;
    await waitUntil(() => !isAlive(pid), () => `program ${pid} still alive after anode was killed`);
  });

  it('even a program stuck in a loop ends when anode is killed with SIGKILL', async () => {
    const a = startAnode(['run', controlled]);
    await a.waitForPrompt();
    const pid = await a.programPid();
    a.send("console.log('spin' + 'ning'); while (true) {}");
    await a.waitFor('spinning', { stream: 'stdout' });
    a.child.kill('SIGKILL');
    await a.exited;
    await waitUntil(() => !isAlive(pid), () => `program ${pid} still alive after anode was killed`);
  });

  it('a missing program is a one-line error, no stack', async () => {
    const a = startAnode(['run', 'no/such/file.js']);
    const exit = await a.exited;
    expect(exit.code).toBe(1);
    expect(a.stderr).toBe("anode: cannot find program 'no/such/file.js': check the path\n");
  });

  it('a bad node flag or a program dying at start-up is one line from anode, and node\'s exit code', async () => {
    const bad = startAnode(['run', '--no-such-node-flag', controlled]);
    expect((await bad.exited).code).toBe(9);
    expect(bad.stderr).toMatch(/bad option: --no-such-node-flag/);
    expect(bad.stderr).toMatch(/^anode: the program exited \(code 9\) before the console opened$/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const dir = await mkdtemp(path.join(tmpdir(), 'anode-crash-'));
    const file = path.join(dir, 'boom.js');
    await writeFile(file, "throw new Error('dies at start');\n");
    const dies = startAnode(['run', file]);
    const exit = await dies.exited;
    expect(exit.code).not.toBe(0);
    expect(dies.stderr).toMatch(/dies at start/);
    expect(dies.stderr).toMatch(/^anode: .*(before|ended)/m);
  });
});
