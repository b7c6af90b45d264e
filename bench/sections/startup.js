// Section 5: start-up. `anode run app.js` invocation → its first result, against `node app.js` → its
// ready line; anode's own start-up (`anode --version`) against `node -e 0`; `anode attach PID -e EXPR`
// → the result on stdout, less anode's own start-up (skipped while `anode attach` is not there).
import path from 'node:path';
import { FIXTURES, anode, node } from '../lib/procs.js';
import { interleave } from '../lib/sample.js';
import { median, result, skipped } from '../lib/stats.js';

const APP = path.join(FIXTURES, 'app.js');
const EXPR = "'anode' + 'ready'";
const ANSWER = /'anodeready'/;

/** Spawns, waits for `pattern` on `stream`, kills; for interleave(). */
const until = (start, pattern, stream) => async () => {
  const p = start();
  try {
    await p.waitFor(pattern, { stream, timeoutMs: 15_000 });
  } finally {
    await p.kill();
  }
};

/** Spawns and waits for the exit. */
const exits = (start) => async () => {
  const p = start();
  const { code } = await p.exit;
  if (code !== 0) throw new Error(`${p.description} exited ${code}: ${p.tail()}`);
};

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  const n = quick ? 3 : 10;
  log(`startup: ${n} interleaved samples per variant`);
  const s = await interleave(
    {
      anodeRun: until(
        () => {
          const p = anode(['run', '--no-readline', APP]);
          p.write(`${EXPR}\n`);
          return p;
        },
        ANSWER,
        'stderr',
      ),
      nodeApp: until(() => node([APP]), /ready pid=/, 'stdout'),
      anodeVersion: exits(() => anode(['--version'])),
      nodeEmpty: exits(() => node(['-e', '0'])),
    },
    { n, warmup: quick ? 0 : 1 },
  );
  const own = median(s.anodeVersion);
  rows.push(
    result({ metric: 'startup-run-first-result-ms', unit: 'ms', value: median(s.anodeRun), baseline: median(s.nodeApp), goal: 1.5, note: 'baseline: node app.js → its ready line' }),
    result({ metric: 'startup-anode-own-ms', unit: 'ms', value: own, baseline: median(s.nodeEmpty), goal: 1.5, note: 'anode --version; baseline: node -e 0' }),
  );
  await attach({ n: quick ? 2 : 5, own, log, rows });
}

/** `anode attach PID -e EXPR` against fresh targets (each attach is a first attach). */
async function attach({ n, own, log, rows }) {
  const metrics = ['attach-first-result-ms', 'attach-after-startup-ms'];
  const once = async () => {
    // --inspect-port=0: SIGUSR1 opens the inspector on a free port (9229 may be another agent's).
    const target = node(['--inspect-port=0', APP]);
    try {
      await target.waitFor(/ready pid=/, { stream: 'stdout' });
      const p = anode(['attach', String(target.pid), '-e', EXPR]);
      const t0 = performance.now();
      try {
        // `-e` prints the result on stdout (quoted like the REPL, or not: either is the answer).
        await p.waitFor(/anodeready/, { stream: 'stdout', timeoutMs: 8000 });
      } catch (err) {
        throw Object.assign(new Error(`anode attach is not available: ${err.brief ?? err.message}`), { unavailable: true });
      } finally {
        await p.kill();
      }
      return performance.now() - t0;
    } finally {
      await target.kill();
    }
  };
  const times = [];
  try {
    log(`attach: ${n} samples`);
    for (let i = 0; i < n; i += 1) times.push(await once());
  } catch (err) {
    if (!err.unavailable) throw err;
    for (const m of metrics) rows.push(skipped(m, err.message));
    return;
  }
  rows.push(
    result({ metric: 'attach-first-result-ms', unit: 'ms', value: median(times), baseline: own, note: "baseline: anode's own start-up" }),
    result({ metric: 'attach-after-startup-ms', unit: 'ms', value: median(times) - own, goal: 50, goalOn: 'value', note: "attach → first result, less anode's own start-up" }),
  );
}
