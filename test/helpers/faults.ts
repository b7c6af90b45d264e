// What fault cases look at from outside: process state, command lines, open ports and descriptors,
// memory, and a TCP relay whose connections can be cut at once.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { RawCdp } from '../../bench/lib/cdp.js';

/** The state letter of a pid (R, S, T for stopped, ...), from /proc. */
export function stateOf(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Pids whose command line contains every one of `parts`. */
export function pidsWith(...parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parts.every((p) => cmd.includes(p))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** True if something accepts connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** How many file descriptors `pid` has open. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory of `pid` in KiB (VmRSS). */
export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** A TCP relay on port 0 to `port`; drop() cuts every connection through it at once. */
export async function relay(port: number): Promise<{ port: number; drop(): void; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    drop: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => server.close(),
  };
}

/** `length` pseudo-random bytes from `seed` (mulberry32): the same bytes on every run. */
export function seededBytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** Samples the resident memory of `pid` every `everyMs` until stop(); `peak` is the largest seen (KiB). */
export function sampleRss(pid: number, everyMs = 25): { readonly peak: number; stop(): number } {
  let peak = rssKb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssKb(pid));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    get peak() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Watches the resident memory of `pid` from now: stop() gives where it started and its peak growth (MiB). */
export function rssGrowth(pid: number): { stop(): { baseMiB: number; peakGrowthMiB: number } } {
  const base = rssKb(pid);
  const samples = sampleRss(pid);
  return {
    stop: () => {
      const peak = samples.stop();
      return { baseMiB: Math.round(base / 1024), peakGrowthMiB: Math.round(((peak - base) / 1024) * 10) / 10 };
    },
  };
}

/**
 * Asks a flooding program (test/fixtures/flood*.mjs) how much it has written, over and over, until it has
 * written `total`: the console's answers while the flood ran, with how long each took (ms, sorted).
 */
export async function askDuringFlood(console: { evaluate(line: string): Promise<string> }, total: number): Promise<number[]> {
  const answers: { written: number; ms: number }[] = [];
  while (answers.length < 5 || answers.at(-1)!.written < total) {
    const t0 = Date.now();
    const written = Number(await console.evaluate('main.written'));
    answers.push({ written, ms: Date.now() - t0 });
    if (answers.length > 2000) break;
  }
  return answers.filter((x) => x.written < total).map((x) => x.ms).sort((x, y) => x - y);
}

/** True once `pid` no longer runs: gone, or a zombie nobody has reaped yet. */
export function isGone(pid: number): boolean {
  const state = stateOf(pid);
  return state === undefined || state === 'Z';
}

/** A raw CDP client (the `ws` package), as a second debugger such as Chrome DevTools would connect. */
export interface RawDebugger {
  send(method: string, params?: object): Promise<Record<string, unknown>>;
  /** Every event received so far, in order (method names). */
  readonly events: string[];
  /** Resolves once `method` has been received `count` times in all. */
  waitForEvent(method: string, count?: number): Promise<void>;
  close(): void;
}

/** Connects a raw CDP client to an inspector's ws:// URL. */
export async function rawDebugger(url: string): Promise<RawDebugger> {
  return RawCdp.connect(url);
}

/** SHA-256 of what test/fixtures/flood*.mjs writes: `total` bytes in 64 KiB blocks of 'a', 'b', … 'z', 'a', … */
export function floodDigest(total: number): string {
  const expected = createHash('sha256');
  for (let i = 0, sent = 0; sent < total; i++, sent += 64 * 1024) {
    expected.update(Buffer.alloc(Math.min(64 * 1024, total - sent), 97 + (i % 26)));
  }
  return expected.digest('hex');
}
