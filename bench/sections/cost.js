// Section 6: the cost to the program. An echo server's messages/s and p99 latency under a load generator
// (this process, loopback, bounded in time): plain `node`, against the same server under `anode run`
// with its console connected and idle (the model of "anode attached idle" until `anode attach` exists),
// and under `anode run` with the console evaluating a line every 10 ms. Rounds are interleaved.
import net from 'node:net';
import path from 'node:path';
import { ANODE_BIN, FIXTURES, anode, node } from '../lib/procs.js';
import { nowMs } from '../lib/sample.js';
import { median, p99, result } from '../lib/stats.js';

const SERVER = path.join(FIXTURES, 'echo-server.js');
const DRIVER = path.join(FIXTURES, 'console-driver.js');
const LISTENING = /echo listening on (\d+)/;
const MESSAGE = `${'x'.repeat(63)}\n`;

/** Drives `port` with `conns` connections, one message in flight each, for `ms`; {count, latencies}. */
export async function drive(port, conns, ms) {
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
  // `anode run` starts the program in its own session (setsid), which on Linux with autogroup scheduling
  // is also its own CPU-share group: every process here gets its own, or the comparison measures the kernel.
  const own = { detached: true };
  let proc;
  let driver;
  if (kind === 'plain') proc = node([SERVER], own);
  else if (kind === 'inspector' || kind === 'rawBusy') proc = node(['--inspect=127.0.0.1:0', SERVER], own);
  else if (kind === 'idle') proc = anode(['run', '--no-readline', SERVER], own);
  else proc = driver = node([DRIVER, 'anode', ANODE_BIN, SERVER], own);
  const m = await proc.waitFor(LISTENING, { stream: 'stdout', timeoutMs: 15_000 });
  if (kind === 'idle') await proc.waitFor(/> $/, { timeoutMs: 15_000 });
  if (kind === 'rawBusy') {
    const url = (await proc.waitFor(/Debugger listening on (ws:\/\/\S+)/))[1];
    driver = node([DRIVER, 'raw', url], own);
  }
  if (driver) await driver.waitFor(/console ready/, { timeoutMs: 15_000 });
  return { proc, port: Number(m[1]), driver };
}

/** Measures this section and pushes its rows (results.json entries) into `rows`. */
/**
 * Drives each of `servers` (by kind) in interleaved rounds of `ms`, after a warm-up round each: a server's
 * `driver` (a busy console, a recording) is started for its own rounds only. Latencies and rates by kind.
 */
export async function interleave(servers, kinds, { rounds, conns, ms }) {
  const latencies = Object.fromEntries(kinds.map((k) => [k, []]));
  const rates = Object.fromEntries(kinds.map((k) => [k, []]));
  // Warm-up: every server and the load generator get their code compiled before anything counts.
  for (const kind of kinds) await drive(servers[kind].port, conns, ms);
  for (let r = 0; r < rounds; r += 1) {
    for (let j = 0; j < kinds.length; j += 1) {
      const kind = kinds[(r + j) % kinds.length];
      const { port, driver } = servers[kind];
      driver?.write('start\n');
      const t0 = nowMs();
      const got = await drive(port, conns, ms);
      rates[kind].push(got.count / ((nowMs() - t0) / 1000));
      driver?.write('stop\n');
      latencies[kind].push(...got.latencies);
    }
  }
  return { latencies, rates };
}

export async function run({ quick, log, rows }) {
  const servers = {};
  for (const kind of ['plain', 'inspector', 'rawBusy', 'idle', 'busy']) servers[kind] = await startServer(kind);
  // Many short rounds: throughput is the median over rounds, so a burst of a neighbour's load spoils one
  // round of one variant, not the figure.
  const [rounds, ms, conns] = quick ? [6, 200, 4] : [12, 500, 4];
  log(`cost: ${rounds} interleaved rounds of ${ms} ms per variant, ${conns} connections`);
  const { latencies: acc, rates } = await interleave(servers, ['plain', 'inspector', 'rawBusy', 'idle', 'busy'], { rounds, conns, ms });
  // The busy consoles must really have evaluated: their drivers count the results.
  const answered = {};
  for (const kind of ['busy', 'rawBusy']) {
    const d = servers[kind].driver;
    const from = d.text.stdout.length;
    d.write('stop\n');
    const [, sent, got] = await d.waitFor(/stopped (\d+) (\d+)/, { stream: 'stdout', from });
    answered[kind] = `${got}/${sent} answered`;
  }
  const rate = (k) => median(rates[k]);
  for (const kind of ['inspector', 'rawBusy', 'idle', 'busy']) {
    const reference = kind === 'inspector' || kind === 'rawBusy';
    const what =
      kind === 'inspector'
        ? 'node --inspect, nobody connected (reference: the inspector alone)'
        : kind === 'rawBusy'
          ? `node --inspect, a raw ws client evaluating every 10 ms (reference; ${answered.rawBusy})`
          : kind === 'idle'
          ? 'anode run, console idle'
          : `anode run, console evaluating every 10 ms (${answered.busy})`;
    rows.push(
      result({ metric: `cost-${label(kind)}-throughput`, unit: 'msg/s', value: rate(kind), baseline: rate('plain'), goal: reference ? null : 0.97, higherIsBetter: true, note: `${what}; baseline: plain node` }),
      result({ metric: `cost-${label(kind)}-p99`, unit: 'ms', value: p99(acc[kind]), baseline: p99(acc.plain), goal: reference ? null : 1.2, note: `${what}; baseline: plain node` }),
    );
  }
}

const label = (kind) => (kind === 'rawBusy' ? 'raw-busy' : kind);
