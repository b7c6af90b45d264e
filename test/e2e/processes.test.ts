// A program's processes: `anode ps` as a tree, `.children` / `.attach PID` / `.detach` from a console into
// a cluster primary or a forking parent, `anode run` giving cluster workers their own free inspector ports,
// and `anode attach --all PATTERN -e EXPR`; on Node 20, 22 and 24 targets.
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { connectClient } from '../helpers/client.js';
import { anode } from '../helpers/attach.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { nodeBinary, TARGET_LINES } from '../helpers/node-versions.js';
import { processTable } from '../../src/program/process-table.js';

const ownListening = (pid: number) => processTable().listening(pid);

const cluster = path.join(TEST_FIXTURES, 'cluster-app.cjs');
const forking = path.join(TEST_FIXTURES, 'fork-server.cjs');
const versions = TARGET_LINES;


const portsOf = async (pid: number): Promise<number[]> => (await ownListening(pid)).map((s) => s.port).sort((a, b) => a - b);

describe.each(versions)('a cluster primary with 2 workers, Node $line', ({ line, bin }) => {
  it('ps draws the tree; each worker has its own inspector port; .attach/.detach and --all reach the workers', async (ctx) => {
    const a = startAnode(['run', '--node', nodeBinary(ctx, { line, bin }), cluster, '2']);
    const workers = (await a.waitFor(/primary ready ([\d,]+)/, { stream: 'stdout' }))[1]!.split(',').map(Number);
    const primary = await a.programPid();
    await a.waitForPrompt();
    const ps = await anode(['ps']);
    expect(ps.stdout).toMatch(new RegExp(`^\\s*${primary}\\s.*cluster-app\\.cjs 2$`, 'm'));
    expect(ps.stdout).toMatch(new RegExp(`^\\s*${workers[0]}\\s+-\\s+├─ \\[cluster worker\\] .*cluster-app\\.cjs 2$`, 'm'));
    expect(ps.stdout).toMatch(new RegExp(`^\\s*${workers[1]}\\s+-\\s+└─ \\[cluster worker\\] .*cluster-app\\.cjs 2$`, 'm'));
    const children = await a.evaluate('.children');
    for (const w of workers) expect(children).toMatch(new RegExp(`^\\s*${w}\\s+-\\s+\\[cluster worker\\]`, 'm'));
    // Into a worker and back: the inspector anode opened there (a free port, not 9229) is closed again.
    const before = await portsOf(workers[0]!);
    const prompt = `pid ${workers[0]}> `;
    // (A worker's inspector may print its help line on the stderr it shares with the primary.)
    expect(await a.evaluate(`.attach ${workers[0]}`, prompt)).toMatch(new RegExp(`(^|\\n)Now in pid ${workers[0]} `));
    expect(await a.evaluate('process.env.WORKER_INDEX', prompt)).toBe("'0'");
    const opened = (await portsOf(workers[0]!)).filter((p) => !before.includes(p));
    expect(opened).toHaveLength(1);
    expect(opened[0]).not.toBe(9229);
    expect(await a.evaluate('.detach')).toMatch(new RegExp(`(^|\\n)Detached from pid ${workers[0]}; back in the main thread\\.$`));
    expect(await a.evaluate('process.env.WORKER_INDEX')).toBe('undefined');
    await expect.poll(() => portsOf(workers[0]!), { timeout: 10_000 }).toEqual(before);
    // Both workers at once from outside: one line per pid (the primary's inspector is anode run's own).
    const all = await anode(['attach', '--all', 'cluster-app.cjs', '-e', 'process.env.WORKER_INDEX ?? "primary"']);
    expect(all.stdout).toMatch(new RegExp(`^\\s*${workers[0]}  '0'$`, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^\\s*${workers[1]}  '1'$`, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^\\s*${primary}  anode: pid ${primary} runs under \`anode run\``, 'm'));
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
    a.send('.exit');
    expect((await a.exited).code).toBe(0);
  });
});

describe('a child_process.fork server', () => {
  it('.attach PID reaches the child while it serves; a child that exits brings the console back', async () => {
    const a = startAnode(['run', forking]);
    const m = await a.waitFor(/child ready (\d+) (\d+)/, { stream: 'stdout' });
    const [child, port] = [Number(m[1]), Number(m[2])];
    await a.waitForPrompt();
    expect(await a.evaluate('.children')).toMatch(new RegExp(`^\\s*${child}\\s+-\\s+.*fork-server\\.cjs child$`, 'm'));
    const prompt = `pid ${child}> `;
    await a.evaluate(`.attach ${child}`, prompt);
    await new Promise<void>((resolve) => net.connect(port, '127.0.0.1').on('data', () => resolve()).on('error', () => resolve()));
    expect(await a.evaluate('connections', prompt)).toBe('1');
    expect(await a.evaluate('.workers', prompt)).toBe('The program runs no worker threads now.');
    const said = await a.evaluate('process.exit(0)');
    expect(said).toBe(`anode: process ${child} exited; the console is back in the main thread`);
    a.kill('SIGTERM');
    await a.exited;
  });

  it('a served client attaches to the child; leaving closes the inspector anode opened there', async () => {
    const a = startAnode(['run', '--serve', '0', forking]);
    const address = (await a.waitFor(/The console is being served on (\S+)\n/))[1]!;
    const child = Number((await a.waitFor(/child ready (\d+) (\d+)/, { stream: 'stdout' }))[1]);
    const before = await portsOf(child);
    const c = await connectClient(address);
    await c.waitFor(/\n> $/);
    expect(await c.evaluate(`.attach ${child}`, `pid ${child}> `)).toContain(`Now in pid ${child}`);
    expect(await c.evaluate('process.argv[2]', `pid ${child}> `)).toContain("'child'");
    expect((await portsOf(child)).length).toBe(before.length + 1);
    c.end();
    await c.closed;
    await expect.poll(() => portsOf(child), { timeout: 10_000 }).toEqual(before);
    // The child is the program's, not the test's: ended first, so nothing outlives the test.
    process.kill(child, 'SIGKILL');
    a.kill('SIGTERM');
    await a.exited;
  });
});
