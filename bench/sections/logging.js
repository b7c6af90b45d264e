// Section: a logging service under `anode attach` with mirroring on (the default). The service logs one
// line per request; its throughput and p99 under load, plain against attached (the attaching anode mirrors
// every line to its own output), in interleaved rounds. Then what anode showed: every line the program
// logged while attached, or a "N lines not shown" note for those it skipped (never dropped silently).
import net from 'node:net';
import path from 'node:path';
import { FIXTURES, anode, node } from '../lib/procs.js';
import { nowMs } from '../lib/sample.js';
import { median, p99, result } from '../lib/stats.js';

const SERVER = path.join(FIXTURES, 'logging-server.js');
const LISTENING = /logging listening on (\d+)/;

const REQUEST = 'GET /orders?id=42 HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n';

/** HTTP load: `conns` keep-alive connections, one request in flight each, for `ms`; {count, latencies}. */
async function drive(port, conns, ms) {
  const latencies = [];
  const end = nowMs() + ms;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.setEncoding('latin1');
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      let sent = 0;
      let seen = '';
      await new Promise((resolve, reject) => {
        socket.on('error', reject);
        const send = () => {
          if (nowMs() >= end) return resolve();
          sent = nowMs();
          socket.write(REQUEST);
          return undefined;
        };
        socket.on('data', (chunk) => {
          // One response per request; its body is one JSON object, which ends it.
          seen += chunk;
          if (!seen.endsWith('}')) return;
          seen = '';
          latencies.push(nowMs() - sent);
          send();
        });
        send();
      });
      socket.destroy();
    }),
  );
  return { count: latencies.length, latencies };
}

async function startServer(flags = []) {
  // Each in its own session (its own CPU-share group under autogroup scheduling), like `anode run`'s program.
  const proc = node([...flags, SERVER], { detached: true });
  const m = await proc.waitFor(LISTENING, { stream: 'stdout', timeoutMs: 15_000 });
  return { proc, port: Number(m[1]) };
}

export async function run({ quick, log, rows }) {
  const plain = await startServer();
  const attached = await startServer();
  // The floor: the same server with its inspector open and nobody connected. While the inspector is open,
  // every console call also goes through V8's console (which keeps the message), whoever listens.
  const inspector = await startServer(['--inspect=127.0.0.1:0']);
  const a = anode(['attach', String(attached.proc.pid)], { detached: true });
  await a.waitFor(/> $/, { timeoutMs: 15_000 });
  // Lines the program logged from now on, and the lines anode showed of them (or said it did not show).
  const count = (stream) => {
    const counted = { lines: 0, notShown: 0 };
    stream.on('data', (chunk) => {
      counted.lines += chunk.split(' request ').length - 1;
      for (const m of chunk.matchAll(/(?:at least )?(\d+) lines? not shown/g)) counted.notShown += Number(m[1]);
    });
    return counted;
  };
  const logged = count(attached.proc.child.stdout);
  const shown = count(a.child.stderr); // the console's output (its prompt and the mirrored lines)
  const [rounds, ms, conns] = quick ? [6, 200, 4] : [12, 500, 4];
  log(`logging: ${rounds} interleaved rounds of ${ms} ms per variant, ${conns} connections; attached: anode attach, mirroring on`);
  const servers = { plain, attached, inspector };
  const kinds = Object.keys(servers);
  const rates = Object.fromEntries(kinds.map((k) => [k, []]));
  const latencies = Object.fromEntries(kinds.map((k) => [k, []]));
  for (const kind of kinds) await drive(servers[kind].port, conns, ms);
  for (let r = 0; r < rounds; r += 1) {
    for (let j = 0; j < kinds.length; j += 1) {
      const kind = kinds[(r + j) % kinds.length];
      const t0 = performance.now();
      const got = await drive(servers[kind].port, conns, ms);
      rates[kind].push(got.count / ((performance.now() - t0) / 1000));
      latencies[kind].push(...got.latencies);
    }
  }
  // Leaving shows what is still queued (or says how much it did not show).
  a.write('.exit\n');
  await a.exit;
  const note = 'a line echo server that logs one line per request; baseline: the same server, plain, in the same rounds';
  rows.push(
    result({ metric: 'logging-attached-throughput', unit: 'req/s', value: median(rates.attached), baseline: median(rates.plain), goal: 0.9, higherIsBetter: true, note: `anode attach with mirroring on; ${note}` }),
    result({ metric: 'logging-inspector-open-throughput', unit: 'req/s', value: median(rates.inspector), baseline: median(rates.plain), goal: null, higherIsBetter: true, note: `reference (the floor of any inspector client): node --inspect, nobody connected; ${note}` }),
    result({ metric: 'logging-attached-vs-inspector-open', unit: 'req/s', value: median(rates.attached), baseline: median(rates.inspector), goal: null, higherIsBetter: true, note: 'anode attach with mirroring on, against the inspector open with nobody connected (what mirroring itself costs)' }),
    result({ metric: 'logging-attached-p99', unit: 'ms', value: p99(latencies.attached), baseline: p99(latencies.plain), goal: null, note: `anode attach with mirroring on; ${note}` }),
    result({
      metric: 'logging-lines-accounted',
      unit: 'ratio',
      value: logged.lines > 0 ? (shown.lines + shown.notShown) / logged.lines : 0,
      goal: null,
      higherIsBetter: true,
      note: `lines shown or counted in a "not shown" note (past the inspector's 1000 kept lines the note gives a lower bound, "at least N"), of the lines the program logged while attached (logged ${logged.lines}, shown ${shown.lines}, said not shown ${shown.notShown})`,
    }),
    result({ metric: 'logging-lines-shown', unit: 'lines', value: shown.lines, baseline: logged.lines, goal: null, note: 'lines the attached anode showed, of those logged (baseline)' }),
  );
}
