// Child processes of the benchmark: spawned with their output captured, waited on by output (never by a
// fixed sleep, always with a deadline), and all killed when the section or the run ends.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI measured: the built bin/anode.js (ANODE_BENCH_BIN names another build to measure). */
export const ANODE_BIN = process.env.ANODE_BENCH_BIN ? path.resolve(process.env.ANODE_BENCH_BIN) : path.join(ROOT, 'bin', 'anode.js');
export const FIXTURES = path.join(ROOT, 'bench', 'fixtures');

const live = new Set();

/** A spawned process whose stdout/stderr are kept as text and can be waited on. */
export class Proc {
  constructor(cmd, args, options = {}) {
    this.description = [cmd === process.execPath ? 'node' : cmd, ...args].map((a) => (path.isAbsolute(a) ? path.relative(ROOT, a) : a)).join(' ');
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.pid = this.child.pid;
    this.text = { stdout: '', stderr: '' };
    this.waiters = new Set();
    for (const stream of ['stdout', 'stderr']) {
      this.child[stream]?.setEncoding('utf8');
      this.child[stream]?.on('data', (chunk) => {
        // Keep the tail only: a chatty program must not grow the bench's memory without bound.
        const t = this.text[stream] + chunk;
        this.text[stream] = t.length > 1_000_000 ? t.slice(-500_000) : t;
        for (const w of this.waiters) w();
      });
    }
    this.child.stdin?.on('error', () => {});
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        for (const w of this.waiters) w();
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        live.delete(this);
        this.exitInfo = { code: null, signal: null, error: err.message };
        for (const w of this.waiters) w();
        resolve(this.exitInfo);
      });
    });
    live.add(this);
  }

  /**
   * Resolves with the match of `pattern` in `stream` (searching from character `from`), or rejects with
   * the output when the process exits first or `timeoutMs` passes.
   */
  waitFor(pattern, { stream = 'stderr', timeoutMs = 10_000, from = 0 } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.text[stream].slice(from));
        if (m) return done(null, m);
        if (this.exitInfo) {
          const how = this.exitInfo.signal ?? `code ${this.exitInfo.code}`;
          return done(Object.assign(new Error(`${this.description} exited (${how}): ${this.tail()}`), { brief: `exited (${how}): ${this.tail()}` }));
        }
        return undefined;
      };
      const timer = setTimeout(() => {
        const brief = `no ${pattern} within ${timeoutMs} ms: ${this.tail()}`;
        done(Object.assign(new Error(`${this.description}: ${brief}`), { brief }));
      }, timeoutMs);
      const done = (err, m) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve(m);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The last output, for error messages. */
  tail() {
    const both = `${this.text.stderr}\n${this.text.stdout}`.trim();
    return JSON.stringify(both.slice(-160));
  }

  write(text) {
    this.child.stdin.write(text);
  }

  /** SIGKILL the process (and its group when it leads one) and wait for it. */
  async kill() {
    for (const pid of [-this.pid, this.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (!this.exitInfo) await Promise.race([this.exit, new Promise((r) => setTimeout(r, 2000))]);
  }
}

/** Starts `node ARGS`. */
export function node(args, options) {
  return new Proc(process.execPath, args, options);
}

/** Starts the built anode CLI (bin/anode.js) with ARGS. */
export function anode(args, options) {
  return new Proc(process.execPath, [ANODE_BIN, ...args], options);
}

/** Starts `node --inspect=127.0.0.1:0 FILE ARGS` and resolves with {proc, url} once the inspector listens. */
export async function inspectTarget(file, args = [], options) {
  const proc = node(['--inspect=127.0.0.1:0', file, ...args], options);
  const m = await proc.waitFor(/Debugger listening on (ws:\/\/\S+)/);
  return { proc, url: m[1] };
}

/** Kills every process still running. */
export async function killAll() {
  await Promise.all([...live].map((p) => p.kill()));
}

/** Resident set size of a pid in bytes (Linux /proc), or null when it cannot be read. */
export function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes this process has read and written through system calls so far (Linux /proc/self/io), or null. */
export function ioBytes() {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    const r = /rchar:\s+(\d+)/.exec(io);
    const w = /wchar:\s+(\d+)/.exec(io);
    return r && w ? Number(r[1]) + Number(w[1]) : null;
  } catch {
    return null;
  }
}
