// The console bindings `ainput` / `aprint` in consoles anode holds into another process (`anode run`,
// `anode attach`, `--serve` for nc and `anode connect` clients): they read from and print to THAT
// console's user, never the program's stdio, and never become properties of the program's global object.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { connectClient, type LineClient } from '../helpers/client.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';
import { startEcho } from '../helpers/attach.js';

const IDLE = path.join(TEST_FIXTURES, 'idle.js');
const OWN = path.join(TEST_FIXTURES, 'own-ainput.js');
const PENDING = `globalThis[Symbol.for('anode.agent')].io.pending`;
const CONSOLES = `globalThis[Symbol.for('anode.agent')].io.consoles`;
const POOL = path.join(TEST_FIXTURES, 'worker-pool.cjs');

const clients: LineClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function served(): Promise<{ server: AnodeProcess; address: string }> {
  const server = startAnode(['run', '--serve', '0', IDLE]);
  const m = await server.waitFor(/The console is being served on (\S+)\n/);
  return { server, address: m[1]! };
}

async function plainClient(address: string): Promise<LineClient> {
  const c = await connectClient(address);
  clients.push(c);
  await c.waitFor(/\n> $/);
  return c;
}

describe('ainput / aprint in anode run through a pipe', () => {
  it('the next line answers ainput; aprint prints on the console, not on the program stdout', async () => {
    const a = startAnode(['run', IDLE]);
    await a.waitForPrompt();
    // A console that has not named them costs the program nothing (a mention in a string is no use).
    expect(await a.evaluate(`'ainput'.length + ${CONSOLES}`)).toBe('6');
    // The answer comes in the same chunk as the entry, as from a piped transcript.
    expect(await a.evaluate("const n = await ainput('name? ')\nbob")).toBe('name? undefined');
    expect(await a.evaluate('n')).toBe("'bob'");
    // Two questions at once are asked one after the other, in order.
    expect(await a.evaluate("await Promise.all([ainput('first? '), ainput('second? ')])\none\ntwo")).toBe("first? second? [ 'one', 'two' ]");
    expect(await a.evaluate("await aprint('hi', {a:1}); console.log('from the program'); 'printed'")).toBe("hi { a: 1 }\n'printed'");
    // Positive control: the program's own console.log goes to its stdout (here anode run's stdout).
    await a.waitFor('from the program', { stream: 'stdout' });
    expect(a.stdout).not.toContain('hi { a: 1 }');
    // Console bindings: the names are there for entries, never on the program's global object.
    expect(await a.evaluate("[typeof ainput, typeof aprint, 'ainput' in globalThis, 'aprint' in globalThis]")).toBe("[ 'function', 'function', false, false ]");
    expect(await a.evaluate('Object.keys(globalThis).filter((k) => /^a(input|print)$/.test(k))')).toBe('[]');
    // A function defined in an entry asks this console too; nothing is left pending in the program.
    expect(await a.evaluate("const ask = async (q) => (await ainput(q)).toUpperCase(); await ask('shout? ')\nquiet")).toBe("shout? 'QUIET'");
    expect(await a.evaluate(`[${PENDING}, ${CONSOLES}]`)).toBe('[ 0, 1 ]');
    // Code the console did not type (a string given to eval, the program's own) does not see the names at all.
    expect(await a.evaluate(`(() => { try { return eval("ainput('x? ')") } catch (e) { return e.name } })()`)).toBe("'ReferenceError'");
    a.end();
    expect((await a.exited).code).toBe(0);
  });

  it('a program with its own global ainput / aprint keeps them', async () => {
    const a = startAnode(['run', OWN]);
    await a.waitForPrompt();
    // The console may open before the program's first line ran: its globals are its own once there.
    await a.waitFor('own-ainput ready', { stream: 'stdout' });
    expect(await a.evaluate('main.callOwn()')).toBe(`[ "the program's own ainput", "the program's own aprint" ]`);
    expect(await a.evaluate('ainput()')).toBe('"the program\'s own ainput"');
    expect(await a.evaluate('aprint()')).toBe('"the program\'s own aprint"');
    // Positive control: in a program without them, the console's are there.
    const b = startAnode(['run', IDLE]);
    await b.waitForPrompt();
    expect(await b.evaluate('String(aprint).includes("program")')).toBe('false');
    expect(await b.evaluate("await aprint('the console says')")).toBe('the console says\nundefined');
    a.end();
    b.end();
    await Promise.all([a.exited, b.exited]);
  });
});

describe('ainput / aprint in a worker thread', () => {
  it('ask and print from the worker the console is in, as in the main thread', async () => {
    const a = startAnode(['run', POOL]);
    await a.waitFor(/^ready (\d+),/m, { stream: 'stdout' });
    await a.waitForPrompt();
    const id = (await a.waitFor(/^ready (\d+),/m, { stream: 'stdout' }))[1]!;
    expect(await a.evaluate(`.worker ${id}`, `worker ${id}> `)).toMatch(new RegExp(`^Now in worker ${id}`));
    expect(await a.evaluate("const w = await ainput('in the worker? ')\nyes", `worker ${id}> `)).toBe('in the worker? undefined');
    expect(await a.evaluate("await aprint(w, require('node:worker_threads').threadId)", `worker ${id}> `)).toBe(`yes ${id}\nundefined`);
    expect(await a.evaluate("'ainput' in globalThis", `worker ${id}> `)).toBe('false');
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stdout).not.toContain('yes');
  });
});

describe('ainput / aprint in anode attach', () => {
  it("prints on the console, not on the program's stdout; end of input ends a waiting ainput, leaving nothing pending", async () => {
    const { target } = await startEcho();
    const a = startAnode(['attach', String(target.pid)]);
    await a.waitForPrompt();
    expect(await a.evaluate("await aprint('hi', {a:1}); console.log('program says'); 1")).toMatch(/hi \{ a: 1 \}\n(.*\n)?1$/);
    // Positive control: what the program itself logs reaches its own stdout pipe; aprint's text does not.
    await target.waitFor('program says');
    expect(await a.evaluate("await aprint('and more')")).toBe('and more\nundefined');
    expect(target.stdout).not.toContain('hi { a: 1 }');
    expect(await a.evaluate("'ainput' in globalThis")).toBe('false');
    // A question still waiting when the console's input ends: it ends with end of input, in the program too.
    a.send("await ainput('never answered? ').catch((e) => { globalThis.why = `${e.code}: ${e.message}`; throw e; })");
    await a.waitFor('never answered? ');
    a.end();
    await a.waitFor(/Uncaught \[Error: ainput: end of input\]/);
    expect((await a.exited).code).toBe(0);
    const b = startAnode(['attach', String(target.pid)]);
    await b.waitForPrompt();
    expect(await b.evaluate('why')).toBe("'ANODE_EOF: ainput: end of input'");
    expect(await b.evaluate(PENDING)).toBe('0');
    b.end();
    await b.exited;
  });
});

describe('ainput / aprint in a served console', () => {
  it('two nc clients: each ainput is answered by its own client, each aprint reaches only its own', async () => {
    const { server, address } = await served();
    const a = await plainClient(address);
    const b = await plainClient(address);
    let fromA = a.text.length;
    let fromB = b.text.length;
    a.send("'a got ' + await ainput('a asks? ')");
    b.send("'b got ' + await ainput('b asks? ')");
    await a.waitFor('a asks? ', { from: fromA });
    await b.waitFor('b asks? ', { from: fromB });
    // B answers first: the answer goes to B's question only.
    fromB = b.text.length;
    b.send('from b');
    await b.waitFor(/'b got from b'\n> $/, { from: fromB });
    fromA = a.text.length;
    a.send('from a');
    await a.waitFor(/'a got from a'\n> $/, { from: fromA });
    expect(a.text).not.toContain('b asks? ');
    expect(b.text).not.toContain('a asks? ');
    expect(await a.evaluate("await aprint('only for a'); 'ok'")).toBe("only for a\n'ok'");
    expect(b.text).not.toContain('only for a');
    expect(server.stdout).not.toContain('only for a');
    // And an `anode connect` client: its own piped line answers its question.
    const c = startAnode(['connect', address]);
    await c.waitForPrompt();
    expect(await c.evaluate("'c got ' + await ainput('c asks? ')\nfrom c")).toBe("c asks? 'c got from c'");
    expect(await c.evaluate("await aprint('for c', [1]); 2")).toBe('for c [ 1 ]\n2');
    expect(a.text + b.text).not.toContain('c asks? ');
    expect(a.text + b.text).not.toContain('for c');
    c.end();
    expect((await c.exited).code).toBe(0);
    expect(await a.evaluate(PENDING)).toBe('0');
  });
});

describe('ainput in a terminal', () => {
  it('shows the prompt, takes the typed answer; Ctrl-C while it waits gives the console prompt back', async () => {
    const t = startAnodePty(['run', IDLE]);
    await t.waitForPrompt();
    let from = t.text().length;
    t.write(`const who = await ainput('who are you? ')${KEY.enter}`);
    await t.waitFor(/\nwho are you\? $/, { from });
    t.write(`alice${KEY.enter}`);
    await t.waitForPrompt(from);
    from = t.text().length;
    t.write(`who${KEY.enter}`);
    await t.waitFor(/'alice'\n> $/, { from });
    from = t.text().length;
    t.write(`await ainput('again? ')${KEY.enter}`);
    await t.waitFor(/\nagain\? $/, { from });
    t.write(KEY.ctrlC);
    await t.waitFor(/Interrupted: stopped waiting[^\n]*\n> $/, { from });
    // The prompt is back: the next line is an entry, not an answer; the question was cancelled in the program.
    from = t.text().length;
    t.write(`${PENDING} + 40${KEY.enter}`);
    await t.waitFor(/\n40\n> $/, { from });
  });
});

describe('ainput / aprint in an -e one-shot: anode\'s own stdin and stdout', () => {
  it('asks on stderr, answers from stdin, prints on stdout in order with the results; end of stdin ends ainput (one line, exit 1)', async () => {
    const { target } = await startEcho(['--inspect-port=0']);
    const a = startAnode(['attach', String(target.pid), '-e', "const who = await ainput('who? '); who", '-e', "await aprint('hi', who, [1])", '-e', "await ainput('more? ')"]);
    a.child.stdin!.end('ada\n');
    const { code } = await a.exited;
    expect(a.stdout).toBe("'ada'\nhi ada [ 1 ]\nundefined\n");
    expect(a.stderr).toContain('who? more? ');
    expect(a.stderr).toContain("Uncaught [Error: ainput: end of input] { code: 'ANODE_EOF' }");
    // The agent's own frames are not the user's business.
    expect(a.stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
    // In the program, nothing waits any more.
    const check = startAnode(['attach', String(target.pid), '-e', PENDING]);
    expect((await check.exited).code).toBe(0);
    expect(check.stdout).toBe('0\n');
  });
});
