// Section: the cost of looking inside the program. The echo service's messages/s and p99 under load while
// `.loop` runs every 200 ms, and while a CPU profile records, against the same server with its inspector
// on and nobody looking (rounds interleaved); and the time of one `.loop` (no delay sampling) on a program
// holding 10,000 sockets and 10,000 timers.
import path from 'node:path';
import { FIXTURES, node } from '../lib/procs.js';
import { median, p99, result } from '../lib/stats.js';
import { interleave } from './cost.js';

const SERVER = path.join(FIXTURES, 'echo-server.js');
const DRIVER = path.join(FIXTURES, 'loop-driver.js');
const MANY = path.join(FIXTURES, 'many.js');
const own = { detached: true };

async function inspected(script, args, ready) {
  const proc = node(['--inspect=127.0.0.1:0', script, ...args], own);
  const url = (await proc.waitFor(/Debugger listening on (ws:\/\/\S+)/, { timeoutMs: 15_000 }))[1];
  const m = await proc.waitFor(ready, { stream: 'stdout', timeoutMs: 60_000 });
  return { proc, url, m };
}

/** A `.loop` every PACE_MS while loaded: a person (or a monitor) looking hard, several times a second. */
const PACE_MS = 200;

async function looker(mode, url, pace = 0) {
  const d = node([DRIVER, mode, url, String(pace)], own);
  await d.waitFor(/driver ready/, { stream: 'stdout', timeoutMs: 15_000 });
  return d;
}

async function report(d) {
  const from = d.text.stdout.length;
  d.write('report\n');
  const [, n, took] = await d.waitFor(/stopped (\d+) (\d+)/, { stream: 'stdout', from, timeoutMs: 15_000 });
  return { n: Number(n), took: Number(took) };
}

export async function run({ quick, log, rows }) {
  const [rounds, ms, conns] = quick ? [4, 300, 4] : [8, 600, 4];
  const servers = {};
  for (const kind of ['quiet', 'loop', 'profile']) {
    const { proc, url, m } = await inspected(SERVER, [], /echo listening on (\d+)/);
    servers[kind] = { proc, port: Number(m[1]), driver: kind === 'quiet' ? undefined : await looker(kind, url, kind === 'loop' ? PACE_MS : 0) };
  }
  log(`loop: ${rounds} interleaved rounds of ${ms} ms per variant, ${conns} connections`);
  const { latencies: lat, rates } = await interleave(servers, ['quiet', 'loop', 'profile'], { rounds, conns, ms });
  const loops = await report(servers.loop.driver);
  const samples = await report(servers.profile.driver);
  const base = median(rates.quiet);
  const note = (what) => `${what}; baseline: the same server, inspector on, nobody looking`;
  const loopWhat = `a .loop every ${PACE_MS} ms (${loops.n} reports, median ${loops.took} ms each)`;
  const profWhat = `a CPU profile recording (${samples.n} samples)`;
  rows.push(
    result({ metric: 'loop-during-throughput', unit: 'msg/s', value: median(rates.loop), baseline: base, goal: null, higherIsBetter: true, note: note(loopWhat) }),
    result({ metric: 'loop-during-p99', unit: 'ms', value: p99(lat.loop), baseline: p99(lat.quiet), goal: null, note: note(loopWhat) }),
    result({ metric: 'profile-during-throughput', unit: 'msg/s', value: median(rates.profile), baseline: base, goal: 0.9, higherIsBetter: true, note: note(profWhat) }),
    result({ metric: 'profile-during-p99', unit: 'ms', value: p99(lat.profile), baseline: p99(lat.quiet), goal: null, note: note(profWhat) }),
  );
  for (const s of Object.values(servers)) s.proc.kill?.();

  const [sockets, timers] = quick ? [2000, 2000] : [10_000, 10_000];
  const many = await inspected(MANY, [String(sockets), String(timers)], /many ready/);
  const d = await looker('loop', many.url);
  const took = [];
  const partial = [];
  for (let i = 0; i < (quick ? 2 : 3); i += 1) {
    const from = d.text.stdout.length;
    d.write('once\n');
    const [, t, s, n, how] = await d.waitFor(/once (\d+) (\d+) (\d+) (\w+)/, { stream: 'stdout', from, timeoutMs: 60_000 });
    // The collection stops at its 2 s budget in the program: a partial report is said, not hidden.
    if (how === 'partial') partial.push(`${s} sockets/${n} timers`);
    else if (Number(s) < sockets || Number(n) < timers) throw new Error(`.loop saw ${s} sockets and ${n} timers, expected ${sockets} and ${timers}`);
    took.push(Number(t));
  }
  rows.push(
    result({ metric: `loop-time-${sockets / 1000}k-sockets-${timers / 1000}k-timers`, unit: 'ms', value: median(took), baseline: null, goal: null, note: `one .loop report (bounded: a summary), no delay sampling; ${took.length} runs${partial.length ? `; partial at the 2 s budget: ${partial.join(', ')}` : ''}` }),
  );
}
