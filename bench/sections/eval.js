// Section 1: eval latency through anode's evaluation session (dist/session: openRemoteSession + Evaluator)
// against a raw `ws` CDP connection to the same target, interleaved; chrome-remote-interface alone as a
// reference; and again with the program logging on every eval while the event channel has Runtime.enable
// on (the model of console mirroring, not written yet).
import path from 'node:path';
import CDP from 'chrome-remote-interface';
import { openRemoteSession } from '../../dist/session/remote.js';
import { Evaluator } from '../../dist/session/evaluator.js';
import { AGENT_REF } from '../../dist/session/agent.js';
import { RawCdp } from '../lib/cdp.js';
import { FIXTURES, inspectTarget } from '../lib/procs.js';
import { interleave } from '../lib/sample.js';
import { countOver, median, p99, result } from '../lib/stats.js';

const STALL_MS = 30;
const OBJECT = "({ a: 1, b: 'two', c: [1, 2, 3], d: { e: null } })";

const CASES = [
  { key: '1+1', code: '1+1', raw: '1+1', expect: '2' },
  { key: 'await', code: 'await Promise.resolve(1)', raw: 'await Promise.resolve(1)', expect: '1' },
  {
    key: 'object',
    code: OBJECT,
    // The floor for the same printed text: one evaluate that formats in the target with anode's formatter.
    raw: `${AGENT_REF}.format.call(${OBJECT}, { colors: false }, false)`,
    rawByValue: true,
    expect: "{ a: 1, b: 'two', c: [ 1, 2, 3 ], d: { e: null } }",
  },
  { key: 'log', code: '(tick(), 1+1)', raw: '(tick(), 1+1)', expect: '2', logging: true },
];

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  const { url } = await inspectTarget(path.join(FIXTURES, 'app.js'));
  const session = await openRemoteSession(url);
  const evaluator = new Evaluator(session, { colors: false });
  const raw = await RawCdp.connect(url);
  const cri = await CDP({ target: url, local: true });
  let naive;
  try {
    for (const c of CASES) {
      const n = c.key === '1+1' || c.key === 'log' ? (quick ? 400 : 10_000) : quick ? 200 : 2_000;
      const rawParams = { expression: c.raw, replMode: true, awaitPromise: true, returnByValue: c.rawByValue === true };
      const check = await evaluator.evaluate(c.code);
      if (check.text !== c.expect) throw new Error(`anode printed ${JSON.stringify(check.text)} for ${c.code}`);
      if (c.logging) {
        await session.eventChannel.send('Runtime.enable');
        naive = await RawCdp.connect(url);
        await naive.send('Runtime.enable');
      }
      const variants = {
        anode: () => evaluator.evaluate(c.code),
        raw: () => raw.send('Runtime.evaluate', rawParams),
      };
      if (c.key === '1+1') variants.cri = () => cri.send('Runtime.evaluate', rawParams);
      log(`eval ${c.key}: ${n} interleaved samples per variant`);
      const s = await interleave(variants, { n, warmup: Math.min(200, n / 10) });
      const us = (xs) => xs.map((x) => x * 1000);
      const a = us(s.anode);
      const b = us(s.raw);
      const label = c.key === 'log' ? 'log-1+1' : c.key;
      rows.push(
        result({ metric: `eval-${label}-median`, unit: 'µs', value: median(a), baseline: median(b), goal: 1.1 }),
        result({ metric: `eval-${label}-p99`, unit: 'µs', value: p99(a), baseline: p99(b), goal: 1000, goalOn: 'value' }),
        result({
          metric: `eval-${label}-over-${STALL_MS}ms`,
          unit: `of ${n}`,
          value: countOver(s.anode, STALL_MS),
          baseline: countOver(s.raw, STALL_MS),
          goal: 0,
          goalOn: 'value',
        }),
      );
      if (c.logging) {
        // The one-connection design (what `node inspect` does): events share the socket with the replies.
        // It stalls on every eval, so it gets a few samples only.
        const m = quick ? 10 : 100;
        const s1 = await interleave(
          { raw: () => raw.send('Runtime.evaluate', rawParams), oneConnection: () => naive.send('Runtime.evaluate', rawParams) },
          { n: m, warmup: 2 },
        );
        rows.push(
          result({ metric: `eval-${label}-one-connection-median`, unit: 'µs', value: median(us(s1.oneConnection)), baseline: median(us(s1.raw)), note: 'raw ws with Runtime.enable on the evaluating connection (reference)' }),
          result({ metric: `eval-${label}-one-connection-over-${STALL_MS}ms`, unit: `of ${m}`, value: countOver(s1.oneConnection, STALL_MS), baseline: countOver(s1.raw, STALL_MS) }),
        );
      }
      if (s.cri) {
        const cr = us(s.cri);
        rows.push(result({ metric: `eval-${label}-cri-median`, unit: 'µs', value: median(cr), baseline: median(b), note: 'chrome-remote-interface alone (reference)' }));
      }
      rows.push(await roundTrips(session, evaluator, c.code, label));
    }
  } finally {
    await session.close().catch(() => {});
    raw.close();
    naive?.close();
    await cri.close().catch(() => {});
  }
}

/** CDP commands anode sends per evaluation of `code` (counted on the evaluation channel, untimed). */
async function roundTrips(session, evaluator, code, label) {
  const ch = session.evalChannel;
  const send = ch.send;
  let count = 0;
  ch.send = (...args) => {
    count += 1;
    return send.apply(ch, args);
  };
  const n = 20;
  try {
    for (let i = 0; i < n; i += 1) await evaluator.evaluate(code);
  } finally {
    ch.send = send;
  }
  return result({ metric: `eval-${label}-round-trips`, unit: 'CDP calls', value: count / n, baseline: 1, note: 'raw baseline: 1 Runtime.evaluate' });
}
