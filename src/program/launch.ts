// `anode run`: spawn an unmodified program under node with the inspector on an ephemeral loopback port.
// The program keeps the user's stdout (and, on a terminal, its stderr stays a TTY); the inspector's own
// lines are filtered out of fd 2; the program leads its own session and process group (so terminal Ctrl-C
// never reaches it, and ending it ends the children it forked), and it ends when anode ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ProgramExitedError, ProgramStartError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { makeControlDir, watchForUrl } from './control-dir.js';
import { DEFAULT_GRACE_MS, DEFAULT_KILL_SIGNAL, endGroup, type StopPlan } from './shutdown.js';
import { InspectorLineFilter } from './stderr-filter.js';
import type { Writable } from 'node:stream';

export type { StopPlan } from './shutdown.js';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

/** How the program ended: its exit code, or the signal that killed it. */
export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  /** Absolute path of the program; undefined for an empty node process. */
  file?: string | undefined;
  /**
   * A command that starts node processes (`npm run start`) instead of a file: every node process under it
   * loads the preload, and the first that runs code outside node_modules takes the console.
   */
  command?: string[] | undefined;
  args?: string[];
  /** Node flags given before the program (`--import tsx`, `--enable-source-maps`, ...). */
  nodeFlags?: string[];
  /** The node binary that runs the program (default: the one running anode). */
  node?: string | undefined;
  /** Hold the program before its first line until the console is connected. */
  wait?: boolean;
  /** Where the program's filtered stderr goes (default: process.stderr). */
  stderr?: Writable;
  /** The program reads anode's own stdin (`--serve`: the console is elsewhere); else /dev/null. */
  stdin?: 'inherit' | 'ignore';
  /** How the watchdog ends the program if anode dies (the first signal and the grace before SIGKILL). */
  stopPlan?: Pick<StopPlan, 'signal' | 'graceMs'>;
  env?: NodeJS.ProcessEnv;
}

/** A running program with an inspector anode can connect to. */
export interface LaunchedProgram {
  readonly pid: number;
  readonly url: string;
  readonly file: string | undefined;
  /** Settles when the program has exited and its stderr has been passed on. */
  readonly exited: Promise<ProgramExit>;
  /**
   * Ends the program's whole process group: its first signal (SIGINT), then SIGTERM, then SIGKILL, each
   * after a grace period; resolves with how the program ended and the last signal anode sent.
   */
  stop(plan?: StopPlan): Promise<ProgramExit & { sent: NodeJS.Signals | undefined }>;
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
  const control = options.command ? makeControlDir() : undefined;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    ...(control
      ? { ANODE_CONTROL_DIR: control.dir, NODE_OPTIONS: withPreload(inherited.NODE_OPTIONS) }
      : { ANODE_CONTROL_FD: '3', ...(stderrIsTty ? { ANODE_STDERR_FD: '4' } : {}) }),
    ...(options.wait ? { ANODE_WAIT: '1' } : {}),
    ...(options.file === undefined && !control ? { ANODE_KEEPALIVE: '1' } : {}),
  };
  const [command, ...commandArgs] = options.command ?? [options.node ?? process.execPath, ...argv];
  const child = spawn(command!, commandArgs, {
    stdio: [options.stdin ?? 'ignore', 'inherit', 'pipe', 'pipe', ...(stderrIsTty && !control ? [2] : [])],
    env,
    detached: true,
  });
  if (child.pid !== undefined) watchOver(child, options.stopPlan ?? {});
  forwardResizes(child);
  const filter = new InspectorLineFilter();
  child.stderr!.pipe(filter).pipe(errStream, { end: false });
  const stderrDone = once(filter, 'end').catch((err: unknown) => ignored('the stderr filter ended with an error', err));

  const exited = (async (): Promise<ProgramExit> => {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    filter.programExited();
    // Let what the program wrote last reach the user, without waiting on grandchildren holding fd 2; nor
    // may such a grandchild keep anode from exiting: the pipe is read on while anode lives, unreferenced.
    await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 200).unref())]);
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    return { code, signal };
  })();
  exited.catch(() => undefined); // awaited by whoever asks how the program ended

  let url: string;
  if (control) {
    const found = watchForUrl(control.dir);
    try {
      url = await Promise.race([found.url, readUrl(child, exited)]);
    } finally {
      found.stop();
      control.remove();
    }
  } else {
    url = await readUrl(child, exited);
  }
  return {
    pid: child.pid!,
    url,
    file: options.file,
    exited,
    stop: (plan) => stopChild(child, exited, plan),
    expectInspectorLines: (kind, count) => filter.expect(kind, count),
  };
}

/**
 * The program lives in its own session (so the terminal's Ctrl-C never reaches it) and must not outlive
 * anode, even one killed by SIGKILL while the program's JavaScript is stuck in a loop: a tiny shell holds
 * a pipe from anode and, when it ends, sends the first signal to the program's process group and then
 * SIGKILL after the grace period, if any of the group is still there. Nothing runs inside the program.
 */
function watchOver(child: ChildProcess, plan: Pick<StopPlan, 'signal' | 'graceMs'>): void {
  const signal = (plan.signal ?? DEFAULT_KILL_SIGNAL).replace(/^SIG/, '');
  const ticks = String(Math.max(1, Math.ceil((plan.graceMs ?? DEFAULT_GRACE_MS) / 100)));
  // It leaves as soon as the group is gone (it used to sleep whatever happened, then signal a pid the
  // system may have reused); `kill -0 -PGID` is true while any process of the group remains.
  const script =
    'read _; kill -"$2" -"$1" 2>/dev/null || exit 0; n=0; ' +
    'while kill -0 -"$1" 2>/dev/null && [ "$n" -lt "$3" ]; do sleep 0.1; n=$((n + 1)); done; ' +
    'kill -KILL -"$1" 2>/dev/null; exit 0';
  const watchdog = spawn('/bin/sh', ['-c', script, 'anode-watchdog', String(child.pid), signal, ticks], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', (err) => ignored('the watchdog of the program', err));
  watchdog.stdin!.on('error', (err) => ignored("the watchdog's pipe", err));
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  // Once the program has ended, there is nothing left to watch over.
  child.once('exit', () => watchdog.kill('SIGKILL'));
}

/**
 * The program is in its own session, so the terminal's SIGWINCH reaches anode only: anode passes it on,
 * and the program's process.stdout.columns and 'resize' follow the terminal as under plain node.
 */
function forwardResizes(child: ChildProcess): void {
  if (process.platform === 'win32' || ![process.stdin, process.stdout, process.stderr].some((s) => s.isTTY === true)) return;
  const forward = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid!, 'SIGWINCH');
    } catch (err) {
      ignored('passing SIGWINCH to the program', err);
    }
  };
  process.on('SIGWINCH', forward);
  child.once('exit', () => process.off('SIGWINCH', forward));
}

/** NODE_OPTIONS with the preload added (quoted: the path may hold spaces), for every node under a command. */
function withPreload(nodeOptions: string | undefined): string {
  const own = `--inspect-publish-uid=stderr --require ${JSON.stringify(PRELOAD)}`;
  return nodeOptions ? `${nodeOptions} ${own}` : own;
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
    child.once('error', (err: NodeJS.ErrnoException) => {
      const what = child.spawnfile;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'not executable' : err.message;
      const hint = what.endsWith('npm') ? 'is npm installed and on PATH?' : '--node names the node binary';
      reject(new ProgramStartError(`cannot start '${what}': ${why} (${hint})`, err));
    });
    void exited.then((exit) => reject(new ProgramExitedError(exit)), () => undefined);
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<ProgramExit>,
  plan: StopPlan = {},
): Promise<ProgramExit & { sent: NodeJS.Signals | undefined }> {
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const sent = child.pid !== undefined ? await endGroup(child.pid, gone, plan) : undefined;
  return { ...(await exited), sent };
}
