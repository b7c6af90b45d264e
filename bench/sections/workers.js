// Section: the cost of worker threads support to a worker pool. A pool of 8 worker threads fed 1,000 short
// tasks per second: tasks completed per second and their p99 latency, under plain `node`, under `anode
// run` with the console connected, and with the console inside one of the workers (`.worker ID`).
import path from 'node:path';
import { FIXTURES, anode, node } from '../lib/procs.js';
import { median, result } from '../lib/stats.js';

const POOL = path.join(FIXTURES, 'worker-pool.cjs');

async function start(kind) {
  const own = { detached: true };
  const proc = kind === 'plain' ? node([POOL], own) : anode(['run', '--no-readline', POOL], own);
  const ids = (await proc.waitFor(/pool ready ([\d,]+)/, { stream: 'stdout', timeoutMs: 15_000 }))[1].split(',');
  if (kind !== 'plain') await proc.waitFor(/> $/, { timeoutMs: 15_000 });
  if (kind === 'inWorker') {
    proc.write(`.worker ${ids[3]}\n`);
    await proc.waitFor(new RegExp(`worker ${ids[3]}> $`), { timeoutMs: 15_000 });
  }
  return proc;
}

/** The `rate N p99 MS` lines the pool prints over the next `seconds` seconds. */
async function sample(proc, seconds) {
  const from = proc.text.stdout.length;
  await proc.waitFor(new RegExp(`(rate \\d+ p99 [\\d.]+\\n[^]*){${seconds + 1}}`), { stream: 'stdout', from, timeoutMs: (seconds + 5) * 1000 });
  // The first line counts a second that began before the window: dropped.
  const lines = [...proc.text.stdout.slice(from).matchAll(/rate (\d+) p99 ([\d.]+)/g)].slice(1, seconds + 1);
  return { rates: lines.map((m) => Number(m[1])), p99s: lines.map((m) => Number(m[2])) };
}

/** Measures this section and pushes its rows into `rows`. */
export async function run({ quick, log, rows }) {
  const seconds = quick ? 3 : 6;
  const kinds = ['plain', 'attached', 'inWorker'];
  const procs = {};
  for (const kind of kinds) procs[kind] = await start(kind);
  log(`workers: a pool of 8 fed 1,000 tasks/s, ${seconds} s per variant, sampled in turn`);
  const got = { plain: { rates: [], p99s: [] }, attached: { rates: [], p99s: [] }, inWorker: { rates: [], p99s: [] } };
  // Two passes in turn, so a neighbour's burst of load does not land on one variant only.
  for (let pass = 0; pass < 2; pass += 1) {
    for (const kind of pass === 0 ? kinds : [...kinds].reverse()) {
      const s = await sample(procs[kind], Math.ceil(seconds / 2));
      got[kind].rates.push(...s.rates);
      got[kind].p99s.push(...s.p99s);
    }
  }
  const what = { attached: 'anode run, console connected', inWorker: 'anode run, console inside one of the workers' };
  for (const kind of ['attached', 'inWorker']) {
    rows.push(
      result({ metric: `workers-${kind === 'inWorker' ? 'in-worker' : kind}-throughput`, unit: 'tasks/s', value: median(got[kind].rates), baseline: median(got.plain.rates), goal: 0.95, higherIsBetter: true, note: `${what[kind]}; pool of 8, 1,000 tasks/s offered; baseline: plain node` }),
      result({ metric: `workers-${kind === 'inWorker' ? 'in-worker' : kind}-p99`, unit: 'ms', value: median(got[kind].p99s), baseline: median(got.plain.p99s), note: `${what[kind]}; median over seconds of each second's p99 task latency; baseline: plain node` }),
    );
  }
}
