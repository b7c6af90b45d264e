// How programs really start and end under `anode run`: exit codes of programs that end early, the shutdown
// signals, stdin (the process tree: process-tree.test.ts). The built anode against real node programs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { announcedPids, startAnode } from '../helpers/anode.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { gone } from '../helpers/processes.js';
import { KEY, startAnodePty } from '../helpers/pty.js';
import { waitUntil } from '../helpers/wait.js';

const fixture = (name: string): string => path.join(TEST_FIXTURES, 'lifecycle', name);
const ANODE_LINE = /^anode: .*\n/gm;

const dirs: string[] = [];
const clients: LineClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('anode run: programs that end before the console opens', () => {
  it.each([
    ['print', 0],
    ['usage', 2],
    ['exit2', 2],
    ['exit3', 3],
    ['throw', 1],
  ])('%s: exits with the program\'s own code, its output as under node, one line from anode', async (mode, code) => {
    const plain = spawnSync(process.execPath, [fixture('early.cjs'), mode], { encoding: 'utf8' });
    expect(plain.status).toBe(code);
    const a = startAnode(['run', fixture('early.cjs'), mode]);
    expect((await a.exited).code).toBe(code);
    expect(a.stdout).toBe(plain.stdout);
    // A program that ends on its first tick may still lose the race to a console that opens first: then
    // the console's banner and the usual exit line come instead (the code and stdout are the same; the
    // program's own stderr lines may come before or after the banner).
    if (a.stderr.includes('anode: console into')) {
      expect(a.stderr).toMatch(new RegExp(`anode: the program exited \\(code ${code}\\)\n$`));
      for (const line of plain.stderr.split('\n').filter(Boolean)) expect(a.stderr).toContain(`${line}\n`);
      return;
    }
    const own = a.stderr.match(ANODE_LINE) ?? [];
    expect(own).toEqual([`anode: the program exited (code ${code}) before the console opened\n`]);
    expect(a.stderr.replace(ANODE_LINE, '')).toBe(plain.stderr);
  });

  it('--wait with process.exit(2) on the first line exits 2 at once', async () => {
    const a = startAnode(['run', '--wait', fixture('early.cjs'), 'exit2']);
    expect((await a.exited).code).toBe(2);
    // Released by the console, the program may exit before or just after the console has opened.
    expect(a.stderr).toMatch(/anode: the program exited \(code 2\)( before the console opened)?\n$/);
    expect(a.stderr).not.toMatch(/internal error|Couldn't|protocol/i);
  });

  it('a program ending while an entry runs shows "the program exited (code N)", no protocol error', async () => {
    const a = startAnode(['run', fixture('shutdown.cjs')]);
    await a.waitForPrompt();
    a.send("setTimeout(() => process.exit(4), 20); await new Promise((r) => setTimeout(r, 5000))");
    expect((await a.exited).code).toBe(4);
    expect(a.stderr).toMatch(/anode: the program exited \(code 4\)\n$/);
    expect(a.stderr).not.toMatch(/Couldn't parse|protocol|internal error/i);
  });
});

describe('anode run: shutdown the way the program expects', () => {
  it('SIGINT first: a program that drains gets its time, and its own exit code is anode\'s', async () => {
    const a = startAnode(['run', fixture('shutdown.cjs'), 'drain', '1500', '5']);
    await a.waitForPrompt();
    a.end();
    expect((await a.exited).code).toBe(5);
    expect(a.stdout).toBe('draining\ndrained\n');
    expect(a.stderr).not.toMatch(/did not exit/);
  });

  it('escalates to SIGTERM after --grace and says so in one line', async () => {
    const a = startAnode(['run', '--grace', '400', fixture('shutdown.cjs'), 'ignore-int']);
    await a.waitForPrompt();
    a.end();
    // Ended by the escalation, not by the signal asked for: 128 + SIGTERM.
    expect((await a.exited).code).toBe(143);
    expect(a.stdout).toBe('ignored SIGINT\n');
    expect(a.stderr).toMatch(/anode: the program did not exit within 400 ms of SIGINT; sending SIGTERM\n/);
  });

  it.each([
    [['--kill-signal', 'SIGTERM'], 'SIGTERM'],
    [['--kill-signal', 'hup'], 'SIGHUP'],
    [[], 'SIGINT'],
  ])('--kill-signal %j: the program gets %s first (also when anode is sent SIGTERM)', async (flags, signal) => {
    const a = startAnode(['run', ...flags, fixture('shutdown.cjs'), 'record']);
    await a.waitForPrompt();
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect(a.stdout).toBe(`got ${signal}\n`);
  });

  it('a bad --kill-signal or --grace is one line', async () => {
    const bad = startAnode(['run', '--kill-signal', 'SIGNOPE', fixture('shutdown.cjs')]);
    expect((await bad.exited).code).not.toBe(0);
    expect(bad.stderr).toMatch(/^anode: .*expected a signal name such as SIGINT or SIGTERM, got 'SIGNOPE'\n$/);
    const grace = startAnode(['run', '--grace', '-1', fixture('shutdown.cjs')]);
    expect((await grace.exited).code).not.toBe(0);
    expect(grace.stderr).toMatch(/^anode: .*expected milliseconds/);
  });
});

describe('anode run: stdin', () => {
  it('with --serve the program reads anode\'s stdin unchanged', async () => {
    const a = startAnode(['run', '--serve', '0', fixture('reader.cjs')]);
    await a.waitFor(/The console is being served on \S+\n/);
    a.send('a');
    a.send('b');
    a.end();
    expect((await a.exited).code).toBe(6);
    expect(a.stdout).toBe('got a\ngot b\nstdin ended\n');
  });

  it('in a terminal with --serve the program keeps the terminal: a readline question is answered there', async () => {
    const t = startAnodePty(['run', '--serve', '0', fixture('reader.cjs'), 'ask']);
    const address = (await t.waitFor(/The console is being served on (\S+)\n/))[1]!;
    await t.waitFor('name? (stdin is a TTY: true) ');
    const c = await connectClient(address);
    clients.push(c);
    await c.waitFor(/\n> $/);
    t.write(`Ada${KEY.enter}`);
    await t.waitFor('hello Ada\n');
    expect(await c.evaluate('answered')).toBe("'Ada'");
    // Resizes reach the program as they would in the foreground.
    expect(await c.evaluate('process.stdout.columns')).toBe('120');
    t.resize(100, 30);
    await waitUntil(async () => (await c.evaluate('process.stdout.columns')) === '100', () => 'the program never saw the resize', 20_000, 50);
    t.kill('SIGTERM');
    expect((await t.exited).exitCode).toBe(0);
  });
});

describe('anode run: starting the way people start programs', () => {
  it('--npm start puts the console into the server the script runs, not into npm', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-npm-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }));
    await writeFile(
      path.join(dir, 'server.js'),
      [
        "const server = require('node:http').createServer((_, res) => res.end('ok'));",
        "server.listen(0, '127.0.0.1', () => console.log(`server ${process.pid}`));",
        "process.on('SIGINT', () => server.close(() => { console.log('server closed'); process.exit(0); }));",
        'module.exports = { server };',
      ].join('\n'),
    );
    const a = startAnode(['run', '--npm', 'start'], { cwd: dir });
    const [server] = await announcedPids(a, 'server');
    await a.waitForPrompt();
    expect(await a.programPid()).toBe(server);
    expect(await a.evaluate('process.argv[1]')).toBe(`'${path.join(dir, 'server.js')}'`);
    expect(await a.evaluate('main.server.listening')).toBe('true');
    // Nothing of anode's reaches the server's own children.
    expect(await a.evaluate("[process.env.NODE_OPTIONS, Object.keys(process.env).filter((k) => k.startsWith('ANODE_'))]")).toBe('[ undefined, [] ]');
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stdout).toContain('server closed\n');
    await gone(server!);
  });

  it('`anode run -- npm start` says what does it, in one line', async () => {
    const a = startAnode(['run', '--', 'npm', 'start']);
    expect((await a.exited).code).toBe(1);
    expect(a.stderr).toBe('anode: to run a package.json script, use: anode run --npm start\n');
  });

  it('`anode FILE` is `anode run FILE`', async () => {
    const a = startAnode([fixture('shutdown.cjs')]);
    await a.waitForPrompt();
    expect(await a.evaluate('1 + 1')).toBe('2');
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it.each(['--diagnostic-dir', '--report-dir'])('%s DIR is a node flag with its value, not the program', async (flag) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-diag-'));
    dirs.push(dir);
    const a = startAnode(['run', flag, dir, fixture('shutdown.cjs')]);
    await a.waitForPrompt();
    expect(await a.evaluate('process.execArgv.includes(' + JSON.stringify(dir) + ')')).toBe('true');
    if (flag === '--report-dir') {
      // Node says on the program's stderr that it wrote the report; that line may come before or after the
      // console's next prompt (two pipes), so the test waits for the line, not for the prompt after it.
      a.send('process.report.writeReport()');
      await a.waitFor('Node.js report completed\n');
      expect((await readdir(dir)).some((f) => f.startsWith('report.'))).toBe(true);
    }
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('a user\'s --inspect flag is one clear line; NODE_OPTIONS=--inspect just works', async () => {
    const flag = startAnode(['run', '--inspect-brk=0', fixture('shutdown.cjs')]);
    expect((await flag.exited).code).toBe(1);
    expect(flag.stderr).toBe(
      "anode: the program's inspector is opened by anode run itself: leave out --inspect-brk (--wait holds the program until the console is connected)\n",
    );
    const env = startAnode(['run', fixture('shutdown.cjs')], { env: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
    await env.waitForPrompt();
    expect(await env.evaluate("require('node:inspector').url() !== undefined")).toBe('true');
    env.end();
    expect((await env.exited).code).toBe(0);
    expect(env.stderr).not.toMatch(/ERR_INSPECTOR_ALREADY_ACTIVATED|\n\s+at /);
  });

  it('--node /nonexistent is one line', async () => {
    const a = startAnode(['run', '--node', '/nonexistent/node', fixture('shutdown.cjs')]);
    expect((await a.exited).code).toBe(1);
    expect(a.stderr).toBe("anode: cannot start '/nonexistent/node': no such file (--node names the node binary)\n");
  });
});

describe.each([
  ['v22', 'node22'],
  ['v24', 'node24'],
])('anode run --node (Node %s): the same endings', (line, name) => {
  const bin = fileURLToPath(new URL(`../node-versions/node_modules/${name}/bin/node`, import.meta.url));

  it('--wait with an immediate exit, an early exit and a SIGINT drain keep the program\'s exit codes', async (ctx) => {
    if (!existsSync(bin)) ctx.skip(`Node ${line} is not installed (${bin} missing): run \`npm run nodes\``);
    const held = startAnode(['run', '--node', bin, '--wait', fixture('early.cjs'), 'exit2']);
    expect((await held.exited).code).toBe(2);
    expect(held.stderr).toMatch(/anode: the program exited \(code 2\)( before the console opened)?\n$/);
    const early = startAnode(['run', '--node', bin, fixture('early.cjs'), 'print']);
    expect((await early.exited).code).toBe(0);
    expect(early.stdout).toBe('out line\n');
    const drain = startAnode(['run', '--node', bin, fixture('shutdown.cjs'), 'drain', '300', '5']);
    await drain.waitForPrompt();
    drain.end();
    expect((await drain.exited).code).toBe(5);
    expect(drain.stdout).toBe('draining\ndrained\n');
  });
});
