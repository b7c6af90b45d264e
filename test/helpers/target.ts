// A plain node program started WITHOUT anode, to attach to: its output, its listening ports, its end.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { processTable } from '../../src/program/process-table.js';
import { ROOT } from './paths.js';
import { killPid, track } from './processes.js';
import { matches, waitUntil } from './wait.js';

export interface TargetProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `pattern` appears on the stream (default stdout). */
  waitFor(pattern: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** The TCP ports the process itself listens on, from /proc. */
  ports(): Promise<number[]>;
  /** Waits until its listening ports are exactly `expected`. */
  waitForPorts(expected: number[]): Promise<void>;
  readonly description: string;
  output(): string;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `command args` (default: this node) in the repository, tracked for killing after the test. */
export function startTarget(args: string[], options: { command?: string; env?: NodeJS.ProcessEnv } = {}): TargetProcess {
  const command = options.command ?? process.execPath;
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: 'pipe' });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as { code: number | null; signal: NodeJS.Signals | null });
  const t: TargetProcess = {
    child,
    pid: child.pid!,
    stdout: '',
    stderr: '',
    exited,
    description: `${command} ${args.join(' ')}`,
    output: () => `[stdout]\n${t.stdout}\n[stderr]\n${t.stderr}`,
    waitFor: (pattern, stream = 'stdout') =>
      waitUntil(() => matches(t[stream], pattern), () => `${String(pattern)} on ${stream} of ${t.description}\n${t.output()}`),
    ports: async () => (await processTable().listening(t.pid)).map((s) => s.port).sort((a, b) => a - b),
    async waitForPorts(expected) {
      const want = [...expected].sort((a, b) => a - b).join(',');
      let seen = '';
      await waitUntil(
        async () => (seen = (await t.ports()).join(',')) === want,
        () => `ports of ${t.description}: ${seen}, expected ${want}`,
        10_000,
        20,
      );
    },
    kill: (signal = 'SIGKILL') => killPid(child.pid!, signal),
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (t.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (t.stderr += d));
  child.stdin.on('error', () => {});
  track(t);
  return t;
}
