// `anode attach PID | HOST:PORT | ws://…`: a console (or one-shot `-e` evaluations) into a program that is
// already running. Leaving detaches: the program keeps running, and an inspector anode opened is closed.
import { Command } from 'commander';
import { isTargetClosed, TargetClosedError, UsageError } from '../errors.js';
import { Evaluator } from '../session/evaluator.js';
import { watchExit, type ExitWatch } from '../session/exit-watch.js';
import type { EvalSession } from '../session/session.js';
import { checkServeFlags, serveConsole, type ServeFlags } from '../server/serve-console.js';
import { connect, detach, stillRuns, type Attached } from './attachment.js';
import { banner } from './banner.js';
import { holdTerminalConsole, type ConsoleFlags } from './hold.js';
import { say } from './say.js';

/** The options of `anode attach`. */
export interface AttachFlags extends Omit<ConsoleFlags, 'color'>, Partial<Omit<ServeFlags, keyof ConsoleFlags>> {
  /** `--color` / `--no-color`; undefined when neither was given. */
  color?: boolean;
  eval: string[];
  /** Milliseconds to wait for an inspector activated by SIGUSR1. */
  timeout: number;
}

function parseMs(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`--timeout wants a number of milliseconds, got '${text}'`);
  return ms;
}

/** The `attach` command; `consoleOptions` adds the flags every console shares. */
export function attachCommand(consoleOptions: (cmd: Command) => Command, setExitCode: (code: number) => void): Command {
  const cmd = new Command('attach')
    .description('a console into a Node.js program that is already running (by pid, HOST:PORT or ws:// URL)')
    .argument('<target>', 'a pid (see `anode ps`), HOST:PORT of an inspector, or its ws:// URL')
    .option('-e, --eval <code>', 'evaluate CODE, print the result on stdout and leave (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--color', 'colour results (also with -e)')
    .option('--no-console', "do not mirror the program's console.* output (on by default when attached)")
    .option('--timeout <ms>', 'how long to wait for the inspector to open after SIGUSR1', parseMs, 5000);
  return consoleOptions(cmd)
    .helpOption('-h, --help', 'show this help')
    .action(async (target: string) => setExitCode(await attach(target, cmd.opts<AttachFlags>())));
}

/** Attaches to `target`; resolves to anode's exit code. */
export async function attach(target: string, flags: AttachFlags): Promise<number> {
  if (flags.serve !== undefined) checkServeFlags(flags as ServeFlags);
  const attached = await connect(target, flags.timeout);
  const { session } = attached;
  if (flags.eval.length > 0) return evaluateOnce(attached, flags);
  const opened = attached.pidInspector?.opened;
  const note =
    opened === 'self'
      ? `anode opened its inspector on ${attached.where}; leaving closes it again and the program keeps running.`
      : opened === 'other'
        ? `inspector ${attached.where}, opened by another anode attached to it; the last to leave closes it, and the program keeps running.`
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
        ? await serveConsole(session, { ...consoleFlags, serve: flags.serve } as ServeFlags, opening, async () => (await howItEnded()).message)
        : await holdTerminalConsole(session, consoleFlags, opening);
  } catch (err) {
    await exit.dispose();
    await detach(attached);
    throw err;
  }
  if (end.by === 'user') {
    await exit.dispose();
    await detach(attached);
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
 * SIGINT/SIGTERM interrupt the running entry and detach the same way (exit 130).
 */
async function evaluateOnce(attached: Attached, flags: AttachFlags): Promise<number> {
  const evaluator = new Evaluator(attached.session, { colors: flags.color === true });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code = 0;
  try {
    for (const source of flags.eval) {
      const outcome = await evaluator.evaluate(source, { signal: abort.signal, notify: (text) => process.stderr.write(`${text}\n`) });
      if (outcome.kind === 'value') {
        process.stdout.write(`${outcome.text}\n`);
        continue;
      }
      process.stderr.write(`${outcome.text}\n`);
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await detach(attached);
  return code;
}

