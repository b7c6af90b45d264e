// Section 2: the served console. One line's round trip through `anode run --serve` (TCP client → anode →
// target) against the floor "raw CDP + TCP echo" (a TCP line server evaluating over one raw `ws` CDP
// connection to the SAME target, fixtures/bridge.js) and against Node's `repl` module served over TCP.
import { LineClient } from '../lib/lines.js';
import { Unavailable, startListening, startServe } from '../lib/serve.js';
import { interleave } from '../lib/sample.js';
import { median, p99, result, skipped } from '../lib/stats.js';

const METRICS = ['serve-1+1-median', 'serve-1+1-p99', 'serve-await-median', 'serve-await-vs-repl-median', 'serve-1+1-vs-repl-median'];

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  let served;
  try {
    served = await startServe();
  } catch (err) {
    if (!(err instanceof Unavailable)) throw err;
    for (const m of METRICS) rows.push(skipped(m, err.message));
    return;
  }
  const anode = await LineClient.open(served.port);
  // The target's inspector URL, asked through the console itself, so the floor reaches the same target.
  const url = /'(ws:\/\/[^']+)'/.exec(await anode.ask("require('inspector').url()"))?.[1];
  if (!url) throw new Error('cannot read the target inspector URL through the served console');
  const bridge = await LineClient.open((await startListening('bridge.js', [url])).port);
  const repl = await LineClient.open((await startListening('repl-server.js')).port);
  const n = quick ? 200 : 3000;
  for (const [key, line, expect] of [
    ['1+1', '1+1', '2'],
    ['await', 'await Promise.resolve(1)', '1'],
  ]) {
    for (const c of [anode, bridge, repl]) {
      const got = (await c.ask(line)).trim();
      if (got !== expect) throw new Error(`a served console printed ${JSON.stringify(got)} for ${line}`);
    }
    log(`serve ${key}: ${n} interleaved samples per variant`);
    const s = await interleave(
      { anode: () => anode.ask(line), bridge: () => bridge.ask(line), repl: () => repl.ask(line) },
      { n, warmup: Math.min(100, n / 10) },
    );
    const us = (xs) => xs.map((x) => x * 1000);
    const [a, b, r] = [us(s.anode), us(s.bridge), us(s.repl)];
    rows.push(
      result({ metric: `serve-${key}-median`, unit: 'µs', value: median(a), baseline: median(b), goal: 1.2, note: 'baseline: raw CDP + TCP echo' }),
      result({ metric: `serve-${key}-p99`, unit: 'µs', value: p99(a), baseline: p99(b), note: 'baseline: raw CDP + TCP echo' }),
      result({
        metric: `serve-${key}-vs-repl-median`,
        unit: 'µs',
        value: median(a),
        baseline: median(r),
        goal: key === 'await' ? 1.0 : null,
        note: "baseline: Node's repl over TCP",
      }),
    );
  }
  for (const c of [anode, bridge, repl]) c.close();
}
