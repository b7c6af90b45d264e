// Runs the BUILT anode as a real child process: waitFor(pattern) on its stdout/stderr, send(line), end(),
// and its output printed when a test fails. Modelled on Node's test/common/debugger.js.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { ANODE_BIN, ROOT } from './paths.js';
import { killPid, track } from './processes.js';
import { waitForText } from './wait.js';

export interface AnodeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  stdout: string;
  stderr: string;
  /** Resolves with the match once `pattern` appears in the stream (default stderr: the console's). */
  waitFor(pattern: string | RegExp, options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number; from?: number }): Promise<RegExpMatchArray>;
  /** Waits for the next prompt after what has been seen so far. */
  waitForPrompt(prompt?: string): Promise<void>;
  /** Writes a line to anode's stdin. */
  send(line: string): void;
  /** Sends a line and resolves with the console output it produced, up to the next prompt. */
  evaluate(line: string, prompt?: string): Promise<string>;
  /** Closes stdin (Ctrl+D on a pipe). */
  end(): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pid of the program anode runs, read from the banner. */
  programPid(): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
  readonly description: string;
  output(): string;
}

/**
 * The pids a program under anode announced on stdout as `WORD PID` lines, once `count` of them are there;
 * each is killed after the test, whatever happened.
 */
export async function announcedPids(a: AnodeProcess, word: string, count = 1): Promise<number[]> {
  const m = await a.waitFor(new RegExp(`(?:^|\\n)(?:${word} \\d+\\n[^]*){${count}}`), { stream: 'stdout' });
  const pids = [...m[0].matchAll(new RegExp(`${word} (\\d+)`, 'g'))].map((x) => Number(x[1]));
  for (const pid of pids) track({ description: `pid ${pid} (${word} of ${a.description})`, output: () => '(in the output above)', kill: (signal) => killPid(pid, signal) });
  return pids;
}

/** Starts `node bin/anode.js ...args`. */
export function startAnode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): AnodeProcess {
  const child = spawn(process.execPath, [ANODE_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // test/fixtures/controlled.js prints nothing at start-up, where it would race the first prompt
    // (a test that wants those lines sets CONTROLLED_QUIET to '' and waits for both).
    env: { ...process.env, NO_COLOR: '1', CONTROLLED_QUIET: '1', ...options.env },
    stdio: 'pipe',
  });
  const events = new EventEmitter();
  events.setMaxListeners(100);
  let seenUntil = 0;
  let programPid: number | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as { code: number | null; signal: NodeJS.Signals | null });
  const handle: AnodeProcess = {
    child,
    pid: child.pid!,
    stdout: '',
    stderr: '',
    description: `anode ${args.join(' ')}`,
    output: () => `[stdout]\n${handle.stdout}\n[stderr]\n${handle.stderr}`,
    exited,
    waitFor(pattern, { stream = 'stderr', timeoutMs = 15_000, from = 0 } = {}) {
      const source = { text: () => handle[stream], emitter: events, dataEvent: 'data', endEvent: 'exit', describe: () => `(on ${stream})\n${handle.output()}` };
      return waitForText(source, pattern, from, timeoutMs);
    },
    async waitForPrompt(prompt = '> ') {
      const m = await handle.waitFor(new RegExp(`(^|\\n)(> |\\.\\.\\. )*${escape(prompt)}$`), { from: seenUntil });
      seenUntil += (m.index ?? 0) + m[0].length;
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    async evaluate(line, prompt = '> ') {
      const start = handle.stderr.length;
      seenUntil = start;
      handle.send(line);
      await handle.waitForPrompt(prompt);
      const text = handle.stderr.slice(start);
      return text.slice(0, text.length - prompt.length).replace(/\n$/, '');
    },
    end() {
      child.stdin.end();
    },
    async programPid() {
      if (programPid === undefined) programPid = Number((await handle.waitFor(/\(pid (\d+),/))[1]);
      return programPid;
    },
    kill(signal = 'SIGKILL') {
      if (programPid !== undefined && signal === 'SIGKILL') killPid(programPid);
      killPid(child.pid!, signal);
    },
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    handle.stdout += d;
    events.emit('data');
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    handle.stderr += d;
    events.emit('data');
  });
  // All output has arrived once the child's streams close: only then can a wait give up.
  child.once('close', () => events.emit('exit'));
  child.stdin.on('error', () => {});
  track(handle);
  // The banner names the program's pid: remember it so kill() can reach the program too.
  void handle.programPid().catch(() => undefined);
  return handle;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
