// `anode run`: spawn an unmodified program under node with the inspector on an ephemeral loopback port.
// The program keeps the user's stdout (and, on a terminal, its stderr stays a TTY); the inspector's own
// lines are filtered out of fd 2; the program lives in its own session so terminal Ctrl-C never reaches it,
// and it ends when anode ends because the control pipe closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ProgramStartError } from '../errors.js';
import { InspectorLineFilter } from './stderr-filter.js';
import type { Writable } from 'node:stream';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

/** How the program ended: its exit code, or the signal that killed it. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  /** Absolute path of the program; undefined for an empty node process. */
  file?: string | undefined;
  args?: string[];
  /** Node flags given before the program (`--import tsx`, `--enable-source-maps`, ...). */
  nodeFlags?: string[];
  /** The node binary that runs the program (default: the one running anode). */
  node?: string | undefined;
  /** Hold the program before its first line until the console is connected. */
  wait?: boolean;
  /** Where the program's filtered stderr goes (default: process.stderr). */
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
}

/** A running program with an inspector anode can connect to. */
export interface LaunchedProgram {
  readonly pid: number;
  readonly url: string;
  readonly file: string | undefined;
  /** Settles when the program has exited and its stderr has been passed on. */
  readonly exited: Promise<ProgramExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<ProgramExit>;
  /** Tells the stderr filter that anode is about to connect (`attach`, once per connection) or leave (`detach`). */
  expectInspectorLines(kind: 'attach' | 'detach', count?: number): void;
}

/** Starts the program and resolves once its inspector URL is known. */
export async function launch(options: LaunchOptions): Promise<LaunchedProgram> {
  const errStream = options.stderr ?? process.stderr;
  const stderrIsTty = errStream === process.stderr && process.stderr.isTTY === true;
  const argv = [
    ...(options.nodeFlags ?? []),
    '--inspect-publish-uid=stderr',
    '--require',
    PRELOAD,
    ...(options.file === undefined ? ['--eval', ''] : [options.file]),
    ...(options.args ?? []),
  ];
  // The served console's secret is anode's, not the program's (nor its children's, nor its crash logs').
  const { ANODE_TOKEN: _token, ...inherited } = options.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ANODE_CONTROL_FD: '3',
    ...(options.wait ? { ANODE_WAIT: '1' } : {}),
    ...(stderrIsTty ? { ANODE_STDERR_FD: '4' } : {}),
    ...(options.file === undefined ? { ANODE_KEEPALIVE: '1' } : {}),
  };
  const child = spawn(options.node ?? process.execPath, argv, {
    stdio: ['ignore', 'inherit', 'pipe', 'pipe', ...(stderrIsTty ? [2] : [])],
    env,
    detached: true,
  });
  watchOver(child);
  const filter = new InspectorLineFilter();
  child.stderr!.pipe(filter).pipe(errStream, { end: false });
  const stderrDone = once(filter, 'end').catch(() => undefined);

  const exited = (async (): Promise<ProgramExit> => {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    filter.programExited();
    // Let what the program wrote last reach the user, without waiting on grandchildren holding fd 2.
    await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 200).unref())]);
    return { code, signal };
  })();
  exited.catch(() => undefined);

  const url = await readUrl(child, exited);
  return {
    pid: child.pid!,
    url,
    file: options.file,
    exited,
    stop: (graceMs = 3000) => stopChild(child, exited, graceMs),
    expectInspectorLines: (kind, count) => filter.expect(kind, count),
  };
}

/**
 * The program lives in its own session (so the terminal's Ctrl-C never reaches it) and must not outlive
 * anode, even one killed by SIGKILL while the program's JavaScript is stuck in a loop: a tiny shell holds
 * a pipe from anode and, when it ends, sends SIGTERM and then SIGKILL. Nothing runs inside the program.
 */
function watchOver(child: ChildProcess): void {
  // SIGKILL after about 3 s, only if still there: the shell leaves as soon as the program is gone or a
  // zombie (it used to sleep 3 s whatever happened, then signal a pid the system may have reused).
  const script =
    'read _; kill -TERM "$1" 2>/dev/null || exit 0; end=$(($(date +%s) + 3)); ' +
    'alive() { kill -0 "$1" 2>/dev/null && ! ps -o stat= -p "$1" 2>/dev/null | grep -q "^Z"; }; ' +
    'while alive "$1" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done; ' +
    'alive "$1" && kill -KILL "$1" 2>/dev/null; exit 0';
  const watchdog = spawn('/bin/sh', ['-c', script, 'anode-watchdog', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  watchdog.stdin!.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  // Once the program has ended, there is nothing left to watch over.
  child.once('exit', () => watchdog.kill('SIGKILL'));
}

function readUrl(child: ChildProcess, exited: Promise<ProgramExit>): Promise<string> {
  const control = child.stdio[3] as NodeJS.ReadableStream;
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        control.off('data', onData);
        resolve(text.slice(0, nl).trim());
      }
    };
    control.on('data', onData);
    child.once('error', (err) => reject(new ProgramStartError(`cannot start node: ${err.message}`, err)));
    void exited.then(({ code, signal }) =>
      reject(
        new ProgramStartError(
          `the program exited (${signal ?? `code ${code}`}) before anode could connect; see its output above`,
        ),
      ),
    );
  });
}

async function stopChild(child: ChildProcess, exited: Promise<ProgramExit>, graceMs: number): Promise<ProgramExit> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }
  return exited;
}
