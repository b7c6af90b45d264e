// `anode attach PID | HOST:PORT | ws://…`: a console (or one-shot `-e` evaluations) into a program that is
// already running. Leaving detaches: the program keeps running, and an inspector anode opened is closed.
import { Command } from 'commander';
import { isTargetClosed, TargetClosedError, UsageError } from '../errors.js';
import type { ExitWatch } from '../session/exit-watch.js';
import type { EvalSession } from '../session/session.js';
import type { ServeFlags } from '../server/serve-console.js';
import { connect, detach, stillRuns, type Attached } from './attachment.js';
import type { ConsoleFlags } from './hold.js';
import { brokenOutput, guardOutput, hangUpOnBrokenOutput, onBrokenOutput } from './broken-output.js';
import { say } from './say.js';
import { withExamples } from './help-text.js';
import { ignored } from '../log/debug.js';

/** What `-e` needs once the program is reached. */
async function loadOneShot() {
  const [{ TargetedEvaluator }, { oneShotIo }] = await Promise.all([import('../session/targeted-evaluator.js'), import('./one-shot-io.js')]);
  return { TargetedEvaluator, oneShotIo };
}
type OneShotModules = Awaited<ReturnType<typeof loadOneShot>>;

function loadServer() {
  return import('../server/serve-console.js');
}

/** What a console needs once the program is reached (the terminal's and the server's). */
async function loadConsole() {
  const [{ watchExit }, { banner }, { processReach }, { holdTerminalConsole }, { serveConsole }] = await Promise.all([
    import('../session/exit-watch.js'),
    import('./banner.js'),
    import('./process-reach.js'),
    import('./hold.js'),
    loadServer(),
  ]);
  return { watchExit, banner, processReach, holdTerminalConsole, serveConsole };
}
type ConsoleModules = Awaited<ReturnType<typeof loadConsole>>;

/** The options of `anode attach`. */
export interface AttachFlags extends Omit<ConsoleFlags, 'color'>, Partial<Omit<ServeFlags, keyof ConsoleFlags>> {
  /** `--color` / `--no-color`; undefined when neither was given. */
  color?: boolean;
  eval?: string[];
  /** Milliseconds to wait for an inspector activated by SIGUSR1. */
  timeout: number;
  /** `--worker ID`: evaluate in (or open the console in) that worker thread. */
  worker?: number;
  /** `--all`: the target is a pattern; -e runs in every matching process. */
  all?: boolean;
}

function parseThreadId(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--worker wants a worker's thread id (see .workers), got '${text}'`);
  return Number(text);
}

function parseMs(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout wants a number of milliseconds, got '${text}'`);
  return ms;
}

/** The `attach` command; `consoleOptions` adds the flags every console shares. */
export function attachCommand(consoleOptions: (cmd: Command) => Command, setExitCode: (code: number) => void): Command {
  const cmd = new Command('attach')
    .description('open a console into a Node.js program that is already running (by pid, HOST:PORT or ws:// URL)')
    .argument('<target>', 'a pid (see `anode ps`), HOST:PORT of an inspector, or its ws:// URL')
    .option('-e, --eval <code>', 'evaluate CODE, print the result on stdout and leave (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--color', 'colour results (also with -e)')
    .option('--no-console', "do not mirror the program's console.* output (on by default when attached)")
    .option('--timeout <ms>', 'how long to wait for the inspector to open after SIGUSR1', parseMs, 5000)
    .option('--worker <id>', 'evaluate in (or open the console in) the worker thread with this thread id', parseThreadId)
    .option('--all', "TARGET is a PATTERN: evaluate the -e code in every Node.js process whose command line contains it (one line per pid)");
  withExamples(cmd, [
    ['anode ps', 'find the pid first'],
    ['anode attach 4242', 'a console into process 4242 (opens its inspector, closes it when leaving)'],
    ['anode attach 127.0.0.1:9229', 'a program started with --inspect'],
    ["anode attach 4242 -e 'process.memoryUsage()'", 'print one result and leave'],
    ['anode attach 4242 --serve 7000', 'serve that console to clients (anode connect 7000)'],
  ]);
  return consoleOptions(cmd)
    .helpOption('-h, --help', 'show this help')
    .action(async (target: string) => setExitCode(await attach(target, cmd.opts<AttachFlags>())));
}

/** Attaches to `target`; resolves to anode's exit code. */
export async function attach(target: string, flags: AttachFlags): Promise<number> {
  guardOutput();
  if (flags.all) return (await import('./attach-all.js')).attachAll(target, flags);
  // What this attach needs beyond reaching the program is loaded while the program is being reached.
  const oneShot = (flags.eval ?? []).length > 0;
  const loading = oneShot ? loadOneShot() : loadConsole();
  loading.catch((err: unknown) => ignored('loading the console (reported where it is awaited)', err));
  if (flags.serve !== undefined) (await loadServer()).checkServeFlags(flags as ServeFlags);
  const attached = await connect(target, flags.timeout);
  const { session } = attached;
  if (oneShot) return evaluateOnce(attached, flags, (await loading) as OneShotModules);
  const { watchExit, banner, holdTerminalConsole, serveConsole, processReach } = (await loading) as ConsoleModules;
  // A console whose output is gone ends as on a hang-up: it detaches (and closes what anode opened).
  const stopHangUp = hangUpOnBrokenOutput();
  const opened = attached.pidInspector?.opened;
  const note =
    opened === 'self'
      ? `anode opened its inspector on ${attached.where}; leaving closes it again and the program keeps running.`
      : opened === 'other'
        ? `inspector ${attached.where}, opened by another anode attached to it; the last to leave closes it, and the program keeps running.`
        : opened === 'signal'
          ? `inspector ${attached.where}, opened by a SIGUSR1 before anode came; it stays as it is (unless an anode opened it: the last anode to leave closes that), and the program keeps running.`
        : `inspector ${attached.where}; leaving detaches and the program keeps running.`;
  const exit = await watchExit(session);
  // The program's stdout is not this terminal: its console output is mirrored unless --no-console.
  const consoleFlags = { ...flags, color: flags.color !== false, console: flags.console !== false };
  const opening = `${banner(session.info, 'attached to')}\n${note}`;
  let ending: Promise<{ message: string; code: number }> | undefined;
  const howItEnded = (): Promise<{ message: string; code: number }> => (ending ??= endOf(session, exit, attached));
  let end;
  try {
    end =
      flags.serve !== undefined
        ? await serveConsole(session, { ...consoleFlags, serve: flags.serve, processes: processReach } as ServeFlags, opening, async () => (await howItEnded()).message)
        : await holdTerminalConsole(session, consoleFlags, opening);
  } catch (err) {
    await exit.dispose();
    await detach(attached);
    throw err;
  }
  stopHangUp();
  if (end.by === 'user') {
    await exit.dispose();
    await detach(attached);
    say(`detached from pid ${session.info.pid}; it keeps running`);
    return 0;
  }
  const { message, code } = await howItEnded();
  say(message);
  return code;
}

/**
 * Why the session ended, and anode's exit code: the program's exit (with the code it reported), or, when
 * it reported none but still runs here, a lost inspector connection (exit 1; the program is untouched).
 */
async function endOf(session: EvalSession, exit: ExitWatch, attached: Attached): Promise<{ message: string; code: number }> {
  const { pid } = session.info;
  const code = exit.code();
  if (code !== undefined) return { message: `the program exited (pid ${pid}, code ${code})`, code };
  // The program may well still run: the connection was cut, or its inspector was closed (by the program,
  // another debugger, or another anode leaving at that very moment). Reached by pid, the very process
  // checked at attach time is looked for; else a process with that pid running the same node. (The
  // watchdog stays armed: if the inspector anode opened is still open, it closes it once anode exits.)
  if (await stillRuns(attached, pid, session.info.argv[0])) {
    return { message: `the inspector connection closed; the program (pid ${pid}) is still running`, code: 1 };
  }
  return { message: `the program exited (pid ${pid}; killed, or its exit code is unknown)`, code: 1 };
}

/**
 * `-e`: evaluates each expression in order, results on stdout; the first that throws ends it (exit 1).
 * SIGINT/SIGTERM/SIGHUP interrupt the running entry and detach the same way (exit 130). A reader of stdout
 * or stderr that leaves (`| head -1`) ends it quietly: the rest is not evaluated, the exit code is what it
 * was so far.
 */
async function evaluateOnce(attached: Attached, flags: AttachFlags, { TargetedEvaluator, oneShotIo }: OneShotModules): Promise<number> {
  const io = oneShotIo((stream, text) => brokenOutput() === undefined && process[stream].write(text));
  const evaluator = new TargetedEvaluator(attached.session, { colors: flags.color === true, io: () => io });
  if (flags.worker !== undefined) {
    try {
      await evaluator.enter(flags.worker);
    } catch (err) {
      await detach(attached);
      throw err;
    }
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  const stopWatching = onBrokenOutput(onSignal);
  const write = (stream: 'stdout' | 'stderr', text: string): void => {
    if (brokenOutput() === undefined) process[stream].write(`${text}\n`);
  };
  let code = 0;
  try {
    for (const source of flags.eval ?? []) {
      if (brokenOutput() !== undefined) break;
      const outcome = await evaluator.evaluate(source, { signal: abort.signal, notify: (text) => write('stderr', text) });
      if (outcome.kind === 'value') {
        write('stdout', outcome.text);
        continue;
      }
      if (brokenOutput() !== undefined) break;
      write('stderr', outcome.text);
      code = outcome.kind === 'interrupted' ? 130 : 1;
      break;
    }
  } catch (err) {
    if (isTargetClosed(err)) {
      await attached.session.close();
      const pid = attached.session.info.pid;
      if (await stillRuns(attached, pid, attached.session.info.argv[0])) {
        // The watchdog stays armed: it closes the inspector anode opened if that is still open.
        throw new TargetClosedError(`the inspector connection closed during the evaluation; the program (pid ${pid}) is still running`, err);
      }
      attached.watchdog?.disarm();
      throw new TargetClosedError(`the program exited during the evaluation (pid ${pid})`, err);
    }
    await detach(attached);
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    stopWatching();
  }
  await detach(attached);
  return code;
}

