// Section 6: the cost to the program. An echo server's messages/s and p99 latency under a load generator
// (this process, loopback, bounded in time): plain `node`, against the same server under `anode run`
// with its console connected and idle (the model of "anode attached idle" until `anode attach` exists),
// and under `anode run` with the console evaluating a line every 10 ms. Rounds are interleaved.
import net from 'node:net';
import path from 'node:path';
import { RawCdp } from '../lib/cdp.js';
import { FIXTURES, anode, node } from '../lib/procs.js';
import { nowMs } from '../lib/sample.js';
import { p99, result } from '../lib/stats.js';

const SERVER = path.join(FIXTURES, 'echo-server.js');
const LISTENING = /echo listening on (\d+)/;
const MESSAGE = `${'x'.repeat(63)}\n`;

/** Drives `port` with `conns` connections, one message in flight each, for `ms`; {count, latencies}. */
async function drive(port, conns, ms) {
  const latencies = [];
  const end = nowMs() + ms;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let pending = 0;
      let sent = 0;
      await new Promise((resolve, reject) => {
        socket.on('error', reject);
        const send = () => {
          if (nowMs() >= end) return resolve();
          pending = MESSAGE.length;
          sent = nowMs();
          socket.write(MESSAGE);
          return undefined;
        };
        socket.on('data', (chunk) => {
          pending -= chunk.length;
          if (pending <= 0) {
            latencies.push(nowMs() - sent);
            send();
          }
        });
        send();
      });
      socket.destroy();
    }),
  );
  return { count: latencies.length, latencies };
}

async function startServer(kind) {
  const proc =
    kind === 'plain'
      ? node([SERVER])
      : kind === 'inspector' || kind === 'rawBusy'
        ? node(['--inspect=127.0.0.1:0', SERVER])
        : anode(['run', '--no-readline', SERVER]);
  const m = await proc.waitFor(LISTENING, { stream: 'stdout', timeoutMs: 15_000 });
  if (kind === 'idle' || kind === 'busy') await proc.waitFor(/> $/, { stream: 'stderr', timeoutMs: 15_000 });
  let cdp;
  if (kind === 'rawBusy') cdp = await RawCdp.connect((await proc.waitFor(/Debugger listening on (ws:\/\/\S+)/))[1]);
  return { proc, port: Number(m[1]), cdp };
}

export async function run({ quick, log, rows }) {
  const servers = {};
  for (const kind of ['plain', 'inspector', 'rawBusy', 'idle', 'busy']) servers[kind] = await startServer(kind);
  const [rounds, ms, conns] = quick ? [3, 500, 4] : [6, 1000, 4];
  log(`cost: ${rounds} interleaved rounds of ${ms} ms per variant, ${conns} connections`);
  const acc = { plain: [], inspector: [], rawBusy: [], idle: [], busy: [] };
  const counts = { plain: 0, inspector: 0, rawBusy: 0, idle: 0, busy: 0 };
  const time = { plain: 0, inspector: 0, rawBusy: 0, idle: 0, busy: 0 };
  const kinds = Object.keys(acc);
  let evals = 0;
  for (let r = 0; r < rounds; r += 1) {
    for (let j = 0; j < kinds.length; j += 1) {
      const kind = kinds[(r + j) % kinds.length];
      const { proc, port, cdp } = servers[kind];
      // The busy consoles evaluate a line every 10 ms, during their own rounds only.
      const ticker =
        kind === 'busy'
          ? setInterval(() => (proc.write('1+1\n'), (evals += 1)), 10)
          : kind === 'rawBusy'
            ? setInterval(() => void cdp.send('Runtime.evaluate', { expression: '1+1', replMode: true, awaitPromise: true }), 10)
            : undefined;
      const t0 = nowMs();
      const got = await drive(port, conns, ms);
      time[kind] += nowMs() - t0;
      clearInterval(ticker);
      counts[kind] += got.count;
      acc[kind].push(...got.latencies);
    }
  }
  // The busy console must really have evaluated: count its results.
  const answered = (servers.busy.proc.text.stderr.match(/^(> )*2$/gm) ?? []).length;
  const rate = (k) => counts[k] / (time[k] / 1000);
  for (const kind of ['inspector', 'rawBusy', 'idle', 'busy']) {
    const reference = kind === 'inspector' || kind === 'rawBusy';
    const what =
      kind === 'inspector'
        ? 'node --inspect, nobody connected (reference: the inspector alone)'
        : kind === 'rawBusy'
          ? 'node --inspect, a raw ws client evaluating every 10 ms (reference)'
          : kind === 'idle'
          ? 'anode run, console idle'
          : `anode run, console evaluating every 10 ms (${answered}/${evals} answered)`;
    rows.push(
      result({ metric: `cost-${label(kind)}-throughput`, unit: 'msg/s', value: rate(kind), baseline: rate('plain'), goal: reference ? null : 0.97, higherIsBetter: true, note: `${what}; baseline: plain node` }),
      result({ metric: `cost-${label(kind)}-p99`, unit: 'ms', value: p99(acc[kind]), baseline: p99(acc.plain), goal: reference ? null : 1.2, note: `${what}; baseline: plain node` }),
    );
  }
}

const label = (kind) => (kind === 'rawBusy' ? 'raw-busy' : kind);
