// Section 7: memory. anode's RSS holding one console (`anode run app.js`, after some evaluations) and
// holding 50 served clients; the program's extra RSS under anode against the same program run by plain
// node (the model of "attached" until `anode attach` exists). RSS from /proc/PID/status. Also what one
// evaluation leaves on anode's heap for good (Evaluator against bare channel sends), which bounds how long
// a console can live.
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openRemoteSession } from '../../dist/session/remote.js';
import { Evaluator } from '../../dist/session/evaluator.js';
import { FIXTURES, anode, inspectTarget, node, rssOf } from '../lib/procs.js';
import { LineClient } from '../lib/lines.js';
import { RawCdp } from '../lib/cdp.js';
import { Unavailable, startServe } from '../lib/serve.js';
import { result, skipped } from '../lib/stats.js';
import { within } from '../lib/hang.js';

const APP = path.join(FIXTURES, 'app.js');
const MB = 1024 * 1024;
const EVALS = 50;

/** Evaluates `count` lines on a console over stdin/stderr, waiting for each result. */
async function evaluateLines(proc, count) {
  for (let i = 0; i < count; i += 1) {
    const from = proc.text.stderr.length;
    proc.write(`[${i}, { n: ${i} }]\n`);
    await proc.waitFor(/\n?> $/, { from: from + 1 });
  }
}

/** Heap bytes retained per call of `fn` over `n` calls, after a full GC on both sides. */
async function retainedPerCall(fn, n) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  for (let i = 0; i < 200; i += 1) await fn(i);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i += 1) await fn(i);
  gc();
  return (process.memoryUsage().heapUsed - before) / n;
}

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  {
    const n = quick ? 2000 : 5000;
    log(`memory: heap retained per evaluation over ${n}`);
    const { url } = await inspectTarget(APP);
    const session = await within('openRemoteSession', openRemoteSession(url));
    const evaluator = new Evaluator(session, { colors: false });
    try {
      const bare = await retainedPerCall(
        (i) => within(`bare Runtime.evaluate #${i}`, session.evalChannel.send('Runtime.evaluate', { expression: '1+1', replMode: true, awaitPromise: true }), 10_000),
        n,
      );
      const through = await retainedPerCall((i) => within(`Evaluator.evaluate #${i}`, evaluator.evaluate('1+1'), 10_000), n);
      rows.push(result({ metric: 'memory-anode-heap-per-eval', unit: 'bytes', value: through, baseline: bare, goal: 128, goalOn: 'value', note: `heap kept per Evaluator.evaluate over ${n}; baseline: bare channel sends; goal proposed here (not in issue 7)` }));
    } finally {
      await within('session.close', session.close().catch(() => {}), 10_000);
    }
  }

  const plain = node([APP]);
  const plainPid = Number((await plain.waitFor(/ready pid=(\d+)/, { stream: 'stdout' }))[1]);
  const held = anode(['run', '--no-readline', APP]);
  const programPid = Number((await held.waitFor(/ready pid=(\d+)/, { stream: 'stdout', timeoutMs: 15_000 }))[1]);
  await held.waitFor(/> $/);
  log(`memory: ${EVALS} evaluations on one console`);
  await evaluateLines(held, EVALS);
  const anodeRss = rssOf(held.pid);
  const plainNode = rssOf(plainPid);
  const program = rssOf(programPid);
  rows.push(
    result({ metric: 'memory-anode-one-console', unit: 'MB', value: anodeRss / MB, baseline: plainNode / MB, goal: 60, goalOn: 'value', note: `after ${EVALS} evaluations; baseline: the program under plain node` }),
    result({
      metric: 'memory-program-extra',
      unit: 'MB',
      value: (program - plainNode) / MB,
      goal: 2,
      goalOn: 'value',
      note: `program under anode run (console connected) ${(program / MB).toFixed(1)} MB vs plain node ${(plainNode / MB).toFixed(1)} MB`,
    }),
  );
  // Reference: the same program with Node's inspector open and one raw `ws` session that evaluated once.
  const { proc: inspected, url } = await inspectTarget(APP);
  const inspectedPid = Number((await inspected.waitFor(/ready pid=(\d+)/, { stream: 'stdout' }))[1]);
  const raw = await RawCdp.connect(url);
  for (let i = 0; i < EVALS; i += 1) await raw.send('Runtime.evaluate', { expression: `[${i}, { n: ${i} }]`, replMode: true, awaitPromise: true });
  const inspectedRss = rssOf(inspectedPid);
  raw.close();
  rows.push(
    result({
      metric: 'memory-program-extra-raw-session',
      unit: 'MB',
      value: (inspectedRss - plainNode) / MB,
      note: 'reference: node --inspect + one raw ws session, against plain node',
    }),
  );
  await plain.kill();
  await held.kill();

  let served;
  try {
    served = await startServe();
  } catch (err) {
    if (!(err instanceof Unavailable)) throw err;
    rows.push(skipped('memory-anode-50-clients', err.message));
    return;
  }
  log('memory: 50 served clients');
  const clients = await Promise.all(Array.from({ length: 50 }, () => LineClient.open(served.port)));
  await Promise.all(clients.map(async (c, i) => {
    for (let j = 0; j < 4; j += 1) await c.ask(`[${i}, { n: ${j} }]`);
  }));
  rows.push(result({ metric: 'memory-anode-50-clients', unit: 'MB', value: rssOf(served.proc.pid) / MB, baseline: anodeRss / MB, goal: 90, goalOn: 'value', note: 'baseline: anode with one console' }));
  for (const c of clients) c.close();
}
