// Worker threads: `.workers`, `.worker ID` / `.worker main`, and everything a console does, inside a real
// worker_threads pool that keeps serving its tasks; on Node 20, 22 and 24 targets.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { anode } from '../helpers/attach.js';
import { connectClient } from '../helpers/client.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { nodeBinary, TARGET_LINES } from '../helpers/node-versions.js';
import { startTarget } from '../helpers/target.js';

const pool = path.join(TEST_FIXTURES, 'worker-pool.cjs');
const versions = TARGET_LINES;


/** Starts `anode run` of the pool and waits for its workers; resolves with their thread ids. */
async function runPool(node: string, size: number): Promise<{ a: AnodeProcess; ids: number[] }> {
  const a = startAnode(['run', '--node', node, pool, String(size)]);
  const m = await a.waitFor(/ready ([\d,]+)/, { stream: 'stdout' });
  await a.waitForPrompt();
  return { a, ids: m[1]!.split(',').map(Number) };
}

describe.each(versions)('worker threads, Node $line', ({ line, bin }) => {
  it('lists the workers, enters one, and every entry acts there while the pool keeps working', async (ctx) => {
    const { a, ids } = await runPool(nodeBinary(ctx, { line, bin }), 3);
    const listing = await a.evaluate('.workers');
    for (const id of ids) expect(listing).toMatch(new RegExp(`^\\s+${id}\\s+\\S*worker-pool\\.cjs\\s+\\d\\d:\\d\\d:\\d\\d \\(\\d+s\\)\\s+\\{ role: 'pool', index: \\d \\}$`, 'm'));
    expect(await a.evaluate('typeof workerStats')).toBe("'undefined'");
    const id = ids[1]!;
    const prompt = `worker ${id}> `;
    expect(await a.evaluate(`.worker ${id}`, prompt)).toMatch(new RegExp(`^Now in worker ${id} \\(.*worker-pool\\.cjs\\)`));
    expect(await a.evaluate('workerStats.index', prompt)).toBe('1');
    expect(await a.evaluate("require('node:worker_threads').threadId", prompt)).toBe(String(id));
    // `require` resolves from the worker's file; `main` is the worker module.
    expect(await a.evaluate("require.resolve('./worker-pool.cjs') === require('node:worker_threads').workerData && 'x' || require.resolve('./worker-pool.cjs')", prompt)).toBe(`'${pool}'`);
    expect(await a.evaluate('[10, 20]', prompt)).toBe('[ 10, 20 ]');
    expect(await a.evaluate('_.length', prompt)).toBe('2');
    expect(await a.evaluate('.workers', prompt)).toMatch(new RegExp(`^\\* ${id}\\s`, 'm'));
    // Tasks keep running while the console evaluates in the worker.
    expect(await a.evaluate('const h0 = workerStats.handled; await new Promise((r) => setTimeout(r, 100)); workerStats.handled > h0', prompt)).toBe('true');
    // Ctrl-C stops a loop in the worker; the worker keeps serving its tasks, the program keeps running.
    const from = a.stderr.length;
    a.send("process.stdout.write('spinning\\n'); while (true) {}");
    await a.waitFor('spinning', { stream: 'stdout' });
    a.kill('SIGINT');
    await a.waitFor('Interrupted: the evaluation was stopped', { from });
    await a.waitForPrompt(prompt);
    expect(await a.evaluate('const h1 = workerStats.handled; await new Promise((r) => setTimeout(r, 100)); workerStats.handled > h1', prompt)).toBe('true');
    expect(await a.evaluate('.worker main')).toBe('Back in the main thread.');
    expect(await a.evaluate('typeof workerStats')).toBe("'undefined'");
    expect(await a.evaluate('const t0 = tasksDone; await new Promise((r) => setTimeout(r, 100)); tasksDone > t0')).toBe('true');
    // A worker started after anode connected is reachable too.
    const late = Number(await a.evaluate('addWorker()'));
    await a.waitFor(/ready/, { stream: 'stdout' });
    expect(await a.evaluate(`.worker ${late}`, `worker ${late}> `)).toContain(`Now in worker ${late}`);
    expect(await a.evaluate("require('node:worker_threads').threadId", `worker ${late}> `)).toBe(String(late));
    // Unknown ids are refused in one line, and the console stays where it was.
    expect(await a.evaluate('.worker 999', `worker ${late}> `)).toMatch(/^anode: the program has no worker thread 999 \(its workers: [\d, ]+\)/);
    a.send('.exit');
    expect((await a.exited).code).toBe(0);
  });

  it('a worker that exits under the console is said in one line and the console is back in the main thread', async (ctx) => {
    const { a } = await runPool(nodeBinary(ctx, { line, bin }), 1);
    // Idle in the worker when it exits by itself.
    const short = Number(await a.evaluate('shortLived(1500)'));
    expect(await a.evaluate(`.worker ${short}`, `worker ${short}> `)).toContain(`Now in worker ${short}`);
    await a.waitFor(`anode: worker ${short} exited; the console is back in the main thread\n> `);
    expect(await a.evaluate('typeof tasksDone')).toBe("'number'");
    // The worker ends during an entry: the entry's outcome says so, once.
    const other = Number(await a.evaluate('shortLived(60_000)'));
    await a.evaluate(`.worker ${other}`, `worker ${other}> `);
    const said = await a.evaluate('process.exit(0)');
    expect(said).toBe(`anode: worker ${other} exited; the console is back in the main thread`);
    expect(await a.evaluate('typeof tasksDone')).toBe("'number'");
    expect(a.stderr.split(`worker ${other} exited`).length).toBe(2);
    a.send('.exit');
    expect((await a.exited).code).toBe(0);
  });

  it('anode attach PID --worker ID -e EXPR evaluates in that worker; an unknown id is one line, exit 1', async (ctx) => {
    const node = nodeBinary(ctx, { line, bin });
    const target = startTarget(['--inspect-port=0', pool, '2'], { command: node });
    const ids = (await target.waitFor(/ready ([\d,]+)/))[1]!.split(',').map(Number);
    const r = await anode(['attach', String(target.pid), '--worker', String(ids[1]), '-e', 'workerStats.index', '-e', "require('node:worker_threads').threadId"]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`1\n${ids[1]}\n`);
    expect(r.code).toBe(0);
    const bad = await anode(['attach', String(target.pid), '--worker', '999', '-e', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^anode: the program has no worker thread 999 \(its workers: [\d, ]+\); \.workers lists them\n$/);
    expect(target.child.exitCode).toBe(null);
  });
});

describe('worker threads in served consoles', () => {
  it('each client moves on its own: one in a worker does not move another', async () => {
    const a = startAnode(['run', '--serve', '0', pool, '2']);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const ids = (await a.waitFor(/ready ([\d,]+)/, { stream: 'stdout' }))[1]!.split(',').map(Number);
    const one = await connectClient(address);
    const two = await connectClient(address);
    await one.waitFor(/\n> $/);
    await two.waitFor(/\n> $/);
    const prompt = `worker ${ids[0]}> `;
    expect(await one.evaluate(`.worker ${ids[0]}`, prompt)).toContain(`Now in worker ${ids[0]}`);
    expect(await one.evaluate('typeof workerStats', prompt)).toContain("'object'");
    expect(await two.evaluate('typeof workerStats')).toContain("'undefined'");
    expect(await one.evaluate('workerStats.index', prompt)).toContain('0');
    expect(await two.evaluate('.children')).toMatch(/^pid \d+ has no Node\.js child processes now\./);
    // `anode connect` (the protocol client): its own console moves, and its prompt follows; the worker's
    // exit under it is said once and brings it back.
    const c = startAnode(['connect', address]);
    await c.waitForPrompt();
    expect(await c.evaluate(`.worker ${ids[1]}`, `worker ${ids[1]}> `)).toContain(`Now in worker ${ids[1]}`);
    expect(await c.evaluate('workerStats.index', `worker ${ids[1]}> `)).toBe('1');
    expect(await c.evaluate('.workers', `worker ${ids[1]}> `)).toMatch(new RegExp(`^\\* ${ids[1]}\\s`, 'm'));
    expect(await two.evaluate('typeof workerStats')).toContain("'undefined'");
    expect(await c.evaluate('.worker main')).toBe('Back in the main thread.');
    const short = Number(await c.evaluate('shortLived(1500)'));
    await c.evaluate(`.worker ${short}`, `worker ${short}> `);
    await c.waitFor(`anode: worker ${short} exited; the console is back in the main thread\n> `);
    expect(await c.evaluate('typeof tasksDone')).toBe("'number'");
    c.end();
    expect((await c.exited).code).toBe(0);
    one.end();
    two.end();
    a.kill('SIGTERM');
    await a.exited;
  });
});
