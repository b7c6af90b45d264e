// Section 4: large results. Printing an array of 1e5 objects and a Map of 1e5 entries through anode's
// Evaluator: milliseconds, and bytes moved (all bytes this process reads and writes meanwhile, i.e. the CDP
// traffic); against the floor (one raw `ws` evaluate formatting in the target with anode's formatter),
// and the printed text compared with what Node's REPL prints for the same value.
import path from 'node:path';
import { openRemoteSession } from '../../dist/session/remote.js';
import { Evaluator } from '../../dist/session/evaluator.js';
import { AGENT_REF } from '../../dist/session/agent.js';
import { RawCdp } from '../lib/cdp.js';
import { LineClient } from '../lib/lines.js';
import { FIXTURES, inspectTarget, ioBytes } from '../lib/procs.js';
import { startListening } from '../lib/serve.js';
import { interleave } from '../lib/sample.js';
import { median, result } from '../lib/stats.js';
import { within } from '../lib/hang.js';

/** One line building both values, run in the target and in the Node REPL alike. */
const BUILD =
  "globalThis.bigArray = Array.from({ length: 1e5 }, (_, i) => ({ id: i, name: 'item' + i, tags: ['a', 'b'] })); " +
  "globalThis.bigMap = new Map(Array.from({ length: 1e5 }, (_, i) => ['key' + i, i])); bigArray.length + bigMap.size";

/** Bytes moved by one call of `fn` (this process's reads + writes), or null off Linux. */
async function bytesOf(fn) {
  const before = ioBytes();
  await fn();
  const after = ioBytes();
  return before === null || after === null ? null : after - before;
}

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
export async function run({ quick, log, rows }) {
  const { url } = await inspectTarget(path.join(FIXTURES, 'app.js'));
  const session = await within('openRemoteSession', openRemoteSession(url));
  const evaluator = new Evaluator(session, { colors: false });
  const raw = await RawCdp.connect(url);
  const repl = await LineClient.open((await startListening('repl-server.js')).port);
  try {
    const built = await within('Evaluator.evaluate(BUILD)', evaluator.evaluate(BUILD), 60_000);
    if (built.text !== '200000') throw new Error(`building the values printed ${built.text}`);
    await repl.ask(BUILD, 30_000);
    const n = quick ? 5 : 30;
    for (const [key, expr] of [
      ['array', 'bigArray'],
      ['map', 'bigMap'],
    ]) {
      const rawParams = {
        expression: `${AGENT_REF}.format.call(${expr}, { colors: false }, false)`,
        replMode: true,
        awaitPromise: true,
        returnByValue: true,
      };
      const anodeText = (await within(`Evaluator.evaluate(${expr})`, evaluator.evaluate(expr))).text;
      const replText = (await repl.ask(expr, 30_000)).replace(/\n$/, '');
      const anodeBytes = await bytesOf(() => within(`Evaluator.evaluate(${expr})`, evaluator.evaluate(expr)));
      const rawBytes = await bytesOf(() => within(`raw Runtime.evaluate(${expr})`, raw.send('Runtime.evaluate', rawParams)));
      log(`large ${key}: ${n} interleaved samples per variant`);
      const s = await interleave(
        {
          anode: () => within(`Evaluator.evaluate(${expr})`, evaluator.evaluate(expr)),
          raw: () => within(`raw Runtime.evaluate(${expr})`, raw.send('Runtime.evaluate', rawParams)),
          repl: () => repl.ask(expr, 30_000),
        },
        { n, warmup: 1 },
      );
      rows.push(
        result({ metric: `large-${key}-ms`, unit: 'ms', value: median(s.anode), baseline: median(s.raw), goal: 10, goalOn: 'value', note: 'baseline: one raw evaluate formatting in the target' }),
        result({ metric: `large-${key}-vs-repl-ms`, unit: 'ms', value: median(s.anode), baseline: median(s.repl), note: "baseline: Node's repl over TCP" }),
        result({ metric: `large-${key}-bytes`, unit: 'bytes', value: anodeBytes, baseline: rawBytes, goal: 10 * 1024, goalOn: 'value' }),
        result({
          metric: `large-${key}-same-as-node-repl`,
          unit: 'bool',
          value: anodeText === replText ? 1 : 0,
          goal: 1,
          goalOn: 'value',
          higherIsBetter: true,
          note: anodeText === replText ? `${anodeText.length} characters` : `anode ${JSON.stringify(anodeText.slice(0, 80))} vs repl ${JSON.stringify(replText.slice(0, 80))}`,
        }),
      );
    }
  } finally {
    await within('session.close', session.close().catch(() => {}), 10_000);
    raw.close();
    repl.close();
  }
}
