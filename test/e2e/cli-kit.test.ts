// AsyncCli: the original's cases in memory, then the fixtures over real sockets (and under anode).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AsyncCli, Command, aprint, ainput } from '../../dist/index.js';
import { startAnode } from '../helpers/anode.js';
import { connectClient } from '../helpers/client.js';
import { FIXTURES, ROOT } from '../helpers/paths.js';
import { killPid, track } from '../helpers/processes.js';
import { matches, waitUntil } from '../helpers/wait.js';

const BANNER = "Welcome to the CLI interface of test!\nTry:\n * 'help' to display the help message\n * 'list' to display the command list.\n";

function makeCli(): AsyncCli {
  const hello = new Command('hello').description('Say hello').option('-n, --name <name>', 'who', 'World');
  const boom = new Command('boom').description('Throw');
  const ask = new Command('ask').description('Ask a question').argument('[what]', 'the question', 'name?');
  return new AsyncCli({
    prog: 'test',
    commands: [
      [hello, async ({ name }) => `Hello ${String(name)}!`],
      [boom, async () => { throw new Error('kaboom'); }],
      [ask, async (_o, { args }) => {
        await aprint('asking');
        return `got ${await ainput(`${String(args[0])} `)}`;
      }],
    ],
  });
}

async function run(cli: AsyncCli, lines: string[]): Promise<{ text: string; end: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8').on('data', (d: string) => (text += d));
  input.end(lines.map((l) => `${l}\n`).join(''));
  const end = await cli.interact({ input, output });
  return { text, end };
}

describe('AsyncCli in memory', () => {
  it('parses options and prints the handler result (hello -n Neil)', async () => {
    const { text, end } = await run(makeCli(), ['hello -n Neil', 'hello', 'hello --name "Ada Lovelace"']);
    expect(text).toBe(`${BANNER}>>> Hello Neil!\n>>> Hello World!\n>>> Hello Ada Lovelace!\n>>> `);
    expect(end).toBe('eof');
  });

  it('prints the exact help and list texts', async () => {
    const { text } = await run(makeCli(), ['help', 'list']);
    expect(text).toBe(
      `${BANNER}>>> Type 'help' to display this message.\nType 'list' to display the command list.\n` +
        "Type '<command> -h' to display the help message of <command>.\n" +
        '>>> List of commands:\n * ask [-h] [what]\n * boom [-h]\n * exit [-h]\n * hello [-h] [--name NAME]\n * help [-h]\n * list [-h]\n>>> ',
    );
  });

  it('unknown commands, parse errors, -h and a throwing handler keep the session; empty lines are ignored', async () => {
    const { text, end } = await run(makeCli(), ['nope 1', 'hello --bogus', 'hello -h', 'boom', '', '   ', 'hello "x', 'hello -n ok', 'exit', 'hello']);
    const replies = text.slice(BANNER.length).split('>>> ').slice(1);
    expect(replies[0]).toBe("Command 'nope' does not exist.\n");
    expect(replies[1]).toBe("error: unknown option '--bogus'\n");
    expect(replies[2]).toMatch(/^Usage: hello \[-h\] \[--name NAME\]\n\nSay hello\n\nOptions:\n {2}-n, --name <name>/);
    expect(replies[3]).toMatch(/^Error: kaboom\n {4}at /);
    expect(replies[4]).toBe('');
    expect(replies[5]).toBe('');
    expect(replies[6]).toBe('No closing quotation\n');
    expect(replies[7]).toBe('Hello ok!\n');
    expect(replies).toHaveLength(9);
    expect(end).toBe('exit');
  });

  it('handlers use the session streams for ainput/aprint', async () => {
    const { text } = await run(makeCli(), ["ask 'your name?'", 'Grace']);
    expect(text).toBe(`${BANNER}>>> asking\nyour name? got Grace\n>>> `);
  });
});

function startProgram(file: string, args: string[]) {
  const child = spawn(process.execPath, [path.join(FIXTURES, file), ...args], { cwd: ROOT, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const handle = {
    description: `${file} ${args.join(' ')}`,
    output: () => `[stdout]\n${out}\n[stderr]\n${err}`,
    kill: () => killPid(child.pid!),
    waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      return waitUntil(
        () => {
          if (child.exitCode !== null && !matches(out, pattern)) throw new Error(`exited before ${String(pattern)}\n${handle.output()}`);
          return matches(out, pattern);
        },
        () => `no ${String(pattern)}\n${handle.output()}`,
        15_000,
        20,
      );
    },
  };
  return track(handle);
}

function sendEcho(address: string, message: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: host!, port: Number(port) }, () => s.write(`${message}\n`));
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

describe('fixtures over sockets', () => {
  it('cli.js serves its CLI over TCP to two clients at once, with the history of the echo service', async () => {
    const program = startProgram('cli.js', ['0', '--serve-cli', '0']);
    const echo = (await program.waitFor(/echo service is being served on (\S+)\n/))[1]!;
    const where = (await program.waitFor(/The command line interface is being served on (\S+)\n/))[1]!;
    const a = await connectClient(where);
    const b = await connectClient(where);
    await Promise.all([a.waitFor(/>>> $/), b.waitFor(/>>> $/)]);
    expect(a.text).toBe(BANNER.replace('test', 'echo') + '>>> ');
    expect(await a.evaluate('history', '>>> ')).toBe('No message in the history');
    expect(await sendEcho(echo, 'Hello!')).toBe('Hello!\n');
    expect(await b.evaluate('history', '>>> ')).toBe('Host 127.0.0.1:\n  0. Hello!');
    expect(await a.evaluate("history -p '127.*'", '>>> ')).toBe('Host 127.0.0.1:\n  0. Hello!');
    expect(await b.evaluate('history --pattern 10.*', '>>> ')).toBe('No host match the given pattern');
    expect(await a.evaluate('list', '>>> ')).toBe('List of commands:\n * exit [-h]\n * help [-h]\n * history [-h] [--pattern PATTERN]\n * list [-h]');
    a.send('exit');
    await a.closed;
    expect(await b.evaluate('help', '>>> ')).toContain("Type 'help' to display this message.");
  });

  it('dice.js streams its dots before the roll, over a unix socket', async (ctx) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'anode-cli-'));
    ctx.onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const sock = path.join(dir, 'dice.sock');
    const program = startProgram('dice.js', ['--serve-cli', '0']);
    const tcp = await connectClient((await program.waitFor(/being served on (\S+)\n/))[1]!);
    await tcp.waitFor(/>>> $/);
    expect(await tcp.evaluate('dice --faces 1', '>>> ')).toBe('...\n1');
    // The same CLI over a unix socket, served through the library.
    const { makeCli } = (await import(path.join(FIXTURES, 'dice.js'))) as { makeCli: () => AsyncCli };
    const { serveCli } = await import('../../dist/index.js');
    const server = await serveCli(makeCli(), { path: sock, announce: false });
    ctx.onTestFinished(() => server.close());
    const c = await connectClient(`unix:${sock}`);
    await c.waitFor(/>>> $/);
    const start = c.text.length;
    c.send('dice -f 1');
    await c.waitFor(/^\.$/, { from: start });
    expect(c.text.slice(start)).toBe('.');
    await c.waitFor(/^\.\.$/, { from: start });
    await c.waitFor(/^\.\.\.\n1\n>>> $/, { from: start });
    expect(await c.evaluate('dice -f x', '>>> ')).toBe("error: option '-f, --faces <n>' argument 'x' is invalid. FACES must be a positive integer.");
  });

  it('the combined example runs under anode run --serve', async () => {
    const anode = startAnode(['run', '--serve', '0', 'fixtures/cli.js', '0', '--serve-cli', '0']);
    const consoleAt = (await anode.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const cliAt = (await anode.waitFor(/The command line interface is being served on (\S+)\n/, { stream: 'stdout' }))[1]!;
    const echoAt = (await anode.waitFor(/The echo service is being served on (\S+)\n/, { stream: 'stdout' }))[1]!;
    await sendEcho(echoAt, 'Hello!');
    const console_ = await connectClient(consoleAt);
    await console_.waitFor(/\n> $/);
    expect(await console_.evaluate('[...main.history.values()].flat()')).toBe("[ 'Hello!' ]");
    const cli = await connectClient(cliAt);
    await cli.waitFor(/>>> $/);
    expect(await cli.evaluate('history', '>>> ')).toBe('Host 127.0.0.1:\n  0. Hello!');
  });
});
