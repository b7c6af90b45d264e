// `anode run`: start the program under the inspector, hold a console into it, and leave nothing behind.
// Only what starts the program is loaded up front: the session, the console and the server are imported
// while the program boots (start-up is the sum of both otherwise).
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAnodeError, ProgramExitedError, UsageError } from '../errors.js';
import { launch, type LaunchedProgram, type ProgramExit, type StopPlan } from '../program/launch.js';
import { DEFAULT_KILL_SIGNAL } from '../program/shutdown.js';
import { resolveModuleBin, resolveProgram } from '../program/resolve.js';
import { loadCdp } from '../session/cdp-client.js';
import type { ConsoleFlags } from './hold.js';
import { ignored } from '../log/debug.js';
import { say } from './say.js';

/** How long served clients' farewell waits for the program's exit status once its connection is gone. */
const EXIT_WAIT_MS = 1000;

export interface RunFlags extends ConsoleFlags {
  /** `--serve [HOST:]PORT|unix:PATH`: serve the console to clients instead of the terminal. */
  serve?: string;
  token?: string;
  maxClients?: number;
  module?: string;
  /** `--npm SCRIPT`: `npm run SCRIPT`, with the console in the first node process that runs the project's code. */
  npm?: string;
  wait?: boolean;
  node?: string;
  /** The first signal that ends the program (`--kill-signal`, default SIGINT), then SIGTERM, then SIGKILL. */
  killSignal?: NodeJS.Signals;
  /** How long each of those signals is given (`--grace`, ms). */
  grace?: number;
}

/** Runs `file` (or `-m NAME`, or nothing: an empty node) with a console; resolves to anode's exit code. */
export async function run(flags: RunFlags, file: string | undefined, args: string[], nodeFlags: string[]): Promise<number> {
  const serving = flags.serve !== undefined ? await import('../server/serve-console.js') : undefined;
  if (flags.serve !== undefined) serving?.checkServeFlags({ ...flags, serve: flags.serve });
  const inspect = nodeFlags.find((f) => /^--(inspect|inspect-brk|inspect-wait|debug|debug-brk)(=|$)/.test(f));
  if (inspect !== undefined) {
    throw new UsageError(`the program's inspector is opened by anode run itself: leave out ${inspect.split('=')[0]} (--wait holds the program until the console is connected)`);
  }
  let program: string | undefined;
  let command: string[] | undefined;
  if (flags.npm !== undefined) {
    if (nodeFlags.length > 0) throw new UsageError(`node flags (${nodeFlags.join(' ')}) do not reach the script's program under --npm: put them in its package.json script`);
    const extra = file !== undefined ? [file, ...args] : args;
    command = ['npm', 'run', flags.npm, ...(extra.length > 0 ? ['--', ...extra] : [])];
    args = [];
  } else if (flags.module !== undefined) {
    program = await resolveModuleBin(flags.module);
    if (file !== undefined) args = [file, ...args];
  } else if (file !== undefined) {
    program = await resolveProgram(file).catch((err: unknown) => {
      // `anode run -- npm start`: not a file here; say what does it.
      if (!/^(npm|yarn|pnpm)$/.test(file) || args[0] === undefined) throw err;
      throw new UsageError(`to run a package.json script, use: anode run --npm ${args[0] === 'run' ? (args[1] ?? 'SCRIPT') : args[0]}`);
    });
  }
  void loadCdp(); // overlaps with the program's start-up, as do the imports below
  const loading = loadConsole();
  loading.catch(() => undefined); // an import that fails is reported where it is awaited
  const plan: StopPlan = { signal: flags.killSignal ?? DEFAULT_KILL_SIGNAL, notify: say, ...(flags.grace !== undefined ? { graceMs: flags.grace } : {}) };
  let target: LaunchedProgram;
  try {
    target = await launch({
      file: program,
      command,
      args,
      nodeFlags,
      wait: flags.wait,
      node: flags.node,
      // A served console leaves the terminal (and stdin) to the program, as under plain node.
      stdin: flags.serve !== undefined ? 'inherit' : 'ignore',
      stopPlan: plan,
    });
  } catch (err) {
    return endedEarly(err);
  }
  let session;
  let loaded;
  try {
    loaded = await loading;
    session = await loaded.openRemoteSession(target.url, { connecting: () => target.expectInspectorLines('attach') });
  } catch (err) {
    const exit = await Promise.race([target.exited, new Promise<undefined>((r) => setTimeout(r, 500, undefined))]);
    if (exit) return endedEarly(new ProgramExitedError(exit, err));
    await target.stop(plan);
    throw err;
  }
  const forwardResize = (): void => void signalProgram(target, 'SIGWINCH');
  // The program has the terminal (served console): it hears of resizes as it would in the foreground.
  if (flags.serve !== undefined && process.stdin.isTTY) process.on('SIGWINCH', forwardResize);
  let end;
  try {
    end =
      serving && flags.serve !== undefined
        ? await serving.serveConsole(session, { ...flags, serve: flags.serve, processes: loaded.processReach }, loaded.banner(session.info), (reason) =>
            howItEnded(target, reason),
          )
        : await loaded.holdTerminalConsole(session, flags, loaded.banner(session.info), loaded.programStdio());
  } catch (err) {
    // Nothing to hold (e.g. the serve address is taken): leave nothing behind.
    await session.close();
    await target.stop(plan);
    throw err;
  } finally {
    process.off('SIGWINCH', forwardResize);
  }
  if (end.by === 'user') {
    target.expectInspectorLines('detach');
    await session.close();
    // The program finished by itself just as the console was ended (it was waiting for its debuggers to
    // leave): it exits now, with its own code, which a signal would have replaced.
    if (session.programFinished) return reportExit(target, plan);
    return stoppedExitCode(await target.stop(plan), plan.signal ?? DEFAULT_KILL_SIGNAL);
  }
  return reportExit(target, plan);
}

/** A program that ended before the console opened: say so in one line, and pass its exit code on. */
function endedEarly(err: unknown): number {
  if (!isAnodeError(err, 'ANODE_PROGRAM_EXITED')) throw err;
  const { exit } = err as ProgramExitedError;
  say(err.message);
  return exitCodeOf(exit);
}

/**
 * anode's exit code once it ended the program: the program's own code when it exited by itself (a SIGINT
 * handler that drains and exits); 0 when the first signal's default action ended it (as asked); 128+N when
 * it took an escalation (said in a line already) to end it.
 */
function stoppedExitCode(exit: ProgramExit & { sent: NodeJS.Signals | undefined }, first: NodeJS.Signals): number {
  if (exit.signal === null) return exit.code ?? 0;
  return exit.signal === first ? 0 : exitCodeOf(exit);
}

function signalProgram(target: LaunchedProgram, signal: NodeJS.Signals): void {
  try {
    process.kill(-target.pid, signal);
  } catch (err) {
    ignored(`${signal} to the program's process group (gone)`, err);
  }
}

/** The session and the terminal console, imported while the program starts. */
async function loadConsole() {
  const [remote, hold, banners, stdio, reach] = await Promise.all([
    import('../session/remote.js'),
    import('./hold.js'),
    import('./banner.js'),
    import('./program-stdio.js'),
    import('./process-reach.js'),
  ]);
  return {
    openRemoteSession: remote.openRemoteSession,
    holdTerminalConsole: hold.holdTerminalConsole,
    banner: banners.banner,
    programStdio: stdio.programStdio,
    processReach: reach.processReach,
  };
}

/** What served clients are told when the session ends: how the program exited, if it did (soon). */
async function howItEnded(target: LaunchedProgram, reason: string): Promise<string> {
  const exit = await Promise.race([target.exited, sleep(EXIT_WAIT_MS, undefined, { ref: false })]);
  return exit ? `the program exited (${describeExit(exit)})` : reason;
}

/** Waits for the program's exit, says how it ended in one line, and turns it into anode's exit code. */
async function reportExit(target: LaunchedProgram, plan: StopPlan): Promise<number> {
  const timer = setTimeout(() => void target.stop(plan), 5000);
  const exit = await target.exited;
  clearTimeout(timer);
  say(`the program exited (${describeExit(exit)})`);
  return exitCodeOf(exit);
}

export function describeExit(exit: ProgramExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}

/** The program's own code, or 128+N for a signal, as shells do. */
export function exitCodeOf(exit: ProgramExit): number {
  if (exit.signal) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}
