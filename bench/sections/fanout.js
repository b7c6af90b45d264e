// Section 3: fan-out. Many served clients at once, each sending lines one after the other, all through
// anode's one CDP connection; against the same load through the raw-CDP bridge (fixtures/bridge.js).
import path from 'node:path';
import { RawCdp } from '../lib/cdp.js';
import { LineClient } from '../lib/lines.js';
import { FIXTURES, inspectTarget } from '../lib/procs.js';
import { Unavailable, startListening, startServe } from '../lib/serve.js';
import { nowMs } from '../lib/sample.js';
import { p99, result, skipped } from '../lib/stats.js';

/** `clients` connections × `lines` lines each; resolves {perSecond, latencies}. */
async function load(port, clients, lines) {
  const conns = await Promise.all(Array.from({ length: clients }, () => LineClient.open(port)));
  const latencies = [];
  const t0 = nowMs();
  await Promise.all(
    conns.map(async (c, i) => {
      for (let j = 0; j < lines; j += 1) {
        const s = nowMs();
        const got = await c.ask(`${i}+${j}`);
        latencies.push(nowMs() - s);
        if (got.trim() !== String(i + j)) throw new Error(`client ${i} got ${JSON.stringify(got)} for ${i}+${j}`);
      }
    }),
  );
  const wall = nowMs() - t0;
  for (const c of conns) c.close();
  return { perSecond: (clients * lines) / (wall / 1000), latencies };
}

/** The ceiling: one raw `ws` connection keeping `inFlight` evaluations outstanding for `total` evals. */
async function rawCeiling(inFlight, total) {
  const { proc, url } = await inspectTarget(path.join(FIXTURES, 'app.js'));
  const cdp = await RawCdp.connect(url);
  let next = 0;
  const t0 = nowMs();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const i = next++;
        await cdp.send('Runtime.evaluate', { expression: `${i}+1`, replMode: true, awaitPromise: true });
      }
    }),
  );
  const perSecond = total / ((nowMs() - t0) / 1000);
  cdp.close();
  await proc.kill();
  return perSecond;
}

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  const total = quick ? 1000 : 10_000;
  log(`fanout: raw ceiling, 50 evaluations in flight, ${total} in all`);
  rows.push(
    result({
      metric: 'fanout-raw-ceiling-evals-per-s',
      unit: 'evals/s',
      value: await rawCeiling(50, total),
      note: 'reference: one raw ws connection, 50 evaluations in flight, no TCP clients (what the target and the machine allow)',
    }),
  );
  let served;
  try {
    served = await startServe();
  } catch (err) {
    if (!(err instanceof Unavailable)) throw err;
    for (const m of ['fanout-evals-per-s', 'fanout-line-p99']) rows.push(skipped(m, err.message));
    return;
  }
  const probe = await LineClient.open(served.port);
  const url = /'(ws:\/\/[^']+)'/.exec(await probe.ask("require('inspector').url()"))?.[1];
  probe.close();
  if (!url) throw new Error('cannot read the target inspector URL through the served console');
  const bridgePort = (await startListening('bridge.js', [url])).port;
  const [clients, lines, rounds] = quick ? [50, 20, 1] : [50, 200, 2];
  log(`fanout: ${clients} clients × ${lines} lines, ${rounds} interleaved round(s)`);
  const a = { perSecond: [], latencies: [] };
  const b = { perSecond: [], latencies: [] };
  for (let i = 0; i < rounds; i += 1) {
    for (const [port, acc] of i % 2 === 0 ? [[served.port, a], [bridgePort, b]] : [[bridgePort, b], [served.port, a]]) {
      const r = await load(port, clients, lines);
      acc.perSecond.push(r.perSecond);
      acc.latencies.push(...r.latencies);
    }
  }
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
  rows.push(
    result({
      metric: 'fanout-evals-per-s',
      unit: 'evals/s',
      value: mean(a.perSecond),
      baseline: mean(b.perSecond),
      goal: 20_000,
      goalOn: 'value',
      higherIsBetter: true,
      note: `${clients} clients × ${lines} lines; baseline: the same load through raw CDP + TCP echo`,
    }),
    result({ metric: 'fanout-line-p99', unit: 'ms', value: p99(a.latencies), baseline: p99(b.latencies) }),
  );
}
