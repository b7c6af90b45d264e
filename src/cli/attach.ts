// `anode attach PID | HOST:PORT | ws://…`: a console (or one-shot `-e` evaluations) into a program that is
// already running. Leaving detaches: the program keeps running, and an inspector anode opened is closed.
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { ConnectError, NoSuchProcessError, TargetClosedError, UsageError, WrongProcessError } from '../errors.js';
import { AGENT_REF } from '../session/agent.js';
import { Evaluator } from '../session/evaluator.js';
import { watchExit, type ExitWatch } from '../session/exit-watch.js';
import { openRemoteSession } from '../session/remote.js';
import type { EvalSession } from '../session/session.js';
import { reachPidInspector, stillRunsAfter, verifySameProcess, waitUntilClosed, type NodeProcess } from '../target/attach.js';
import { evalValue } from '../session/remote-object.js';
import { acceptedConnections, runsHere, type ListeningSocket } from '../target/proc.js';
import { hostPort, inspectorUrl, parseAttachTarget } from '../target/endpoint.js';
import { banner } from './banner.js';
import { holdTerminalConsole, type ConsoleFlags } from './hold.js';
import { checkServeFlags, serveConsole, type ServeFlags } from '../server/serve-console.js';
import { say } from './say.js';
import { startCloseWatchdog, type CloseWatchdog } from '../target/close-watchdog.js';

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

/** Where anode connected, and whether it must close the inspector again when leaving. */
interface Attached {
  session: EvalSession;
  where: string;
  /** Attached by pid: that pid's inspector socket, and whether anode opened it (this anode, or another). */
  pidInspector?: { pid: number; socket: ListeningSocket; opened: 'self' | 'other' | false; process: NodeProcess };
  /** Closes an inspector anode opened if this anode dies before leaving (disarmed when it leaves). */
  watchdog?: CloseWatchdog;
}

// Node 20 can crash (SIGSEGV, measured 1 in 15-20) when inspector.close() runs while a client is still
// connected or disconnecting: the target closes it a moment after anode has left, and anode waits for it.
const CLOSE_DELAY_MS = 300;
const CLOSE_WAIT_MS = 3000;
/** How long other clients of the inspector may take to disconnect before they count as staying. */
const OTHERS_WAIT_MS = 1000;
/** How long a program whose inspector connection dropped may take to be gone before it counts as running. */
const GONE_WAIT_MS = 500;
/** Connections one anode session holds (evaluation + events; see session/remote.ts). */
const SESSION_CONNECTIONS = 2;

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

/** True if the attached program still runs here once its inspector connection is gone. */
async function stillRuns(attached: Attached, pid: number, execPath: string | undefined): Promise<boolean> {
  if (attached.pidInspector) return stillRunsAfter(attached.pidInspector.process, GONE_WAIT_MS);
  return runsHere(pid, execPath);
}

/** Reaches the target, opens a session and (for a pid) checks it is that process. */
async function connect(text: string, timeoutMs: number): Promise<Attached> {
  const target = parseAttachTarget(text);
  if (target.kind !== 'pid') {
    const where = target.kind === 'address' ? hostPort(target.host, target.port) : new URL(target.url).host;
    const url = target.kind === 'address' ? await inspectorUrl(target.host, target.port) : target.url;
    return { session: await openRemoteSession(url), where };
  }
  const { pid } = target;
  if (pid === process.pid) throw new UsageError('anode cannot attach to itself');
  const earlier: { opened?: ListeningSocket } = {};
  try {
    return await connectPid(pid, timeoutMs, earlier);
  } catch (err) {
    // The pid still runs (an exit or a change is reported as such), but its inspector closed while anode
    // connected: another anode leaving at that moment closed it. Once more, from the start.
    if (!(err instanceof ConnectError || err instanceof TargetClosedError)) throw err;
    // (Or it was exiting already, though still there when anode looked.)
    return connectPid(pid, timeoutMs, earlier, true).catch((again: unknown) => {
      throw again instanceof NoSuchProcessError ? new NoSuchProcessError(pid, 'it exited while anode was attaching') : again;
    });
  }
}

/**
 * `connect` for a pid: reach (or open) its inspector, open a session, check it is still that process. When
 * it fails on the `last` attempt, an inspector it opened is closed again; before that, `earlier` tells
 * the next attempt which socket this anode opened.
 */
async function connectPid(pid: number, timeoutMs: number, earlier: { opened?: ListeningSocket }, last = false): Promise<Attached> {
  const found = await reachPidInspector(pid, timeoutMs, earlier.opened);
  if (found.openedByAnode) earlier.opened = found.socket;
  const { url, where, socket } = found;
  // Started before the session opens, so that an anode killed meanwhile does not leave it open either.
  let watchdog = found.openedByAnode ? startCloseWatchdog(pid, url, closeInspectorExpression(), RELEASE_EXPRESSION) : undefined;
  let session: EvalSession;
  try {
    session = await openRemoteSession(url);
  } catch (err) {
    if (last) watchdog?.fire();
    else watchdog?.disarm();
    verifySameProcess(found.process, 'while anode was attaching');
    throw err;
  }
  try {
    if (session.info.pid !== pid) throw new WrongProcessError(pid, session.info.pid, where);
    // The pid answered, and it is still the process that was checked (not a newer one with its number).
    verifySameProcess(found.process, 'while anode was attaching');
  } catch (err) {
    watchdog?.disarm();
    await session.close();
    throw err;
  }
  let opened: 'self' | 'other' | false = false;
  if (found.openedByAnode) {
    opened = 'self';
    await markOpened(session, socket.port);
  } else if ((await openedByAnode(session, socket.port, true)) || found.joined) {
    // Another anode opened it: this one shares the duty to close it, as the last to leave.
    opened = 'other';
    watchdog = startCloseWatchdog(pid, url, closeInspectorExpression(), RELEASE_EXPRESSION);
  }
  return { session, where, pidInspector: { pid, socket, opened, process: found.process }, ...(watchdog ? { watchdog } : {}) };
}

/**
 * Where the target remembers that anode opened its inspector: on which port, and which anodes hold it
 * (the close an anode schedules when leaving does not happen while another one holds it).
 */
const OPENED_MARK = `globalThis[Symbol.for('anode.openedInspector')]`;
/** This anode, among the holders. */
const HOLDER = JSON.stringify(randomUUID());

function markOpened(session: EvalSession, port: number): Promise<unknown> {
  const expression = `(() => { let m = ${OPENED_MARK}; if (m?.port !== ${port}) m = ${OPENED_MARK} = { port: ${port}, holders: new Set() }; m.holders.add(${HOLDER}); })()`;
  return session.evalChannel.send('Runtime.evaluate', { expression }).catch(() => undefined);
}

/** True when an anode opened the target's inspector on `port` (and it has not been closed since); `hold` joins the holders. */
async function openedByAnode(session: EvalSession, port: number, hold = false): Promise<boolean> {
  const expression = `(() => { const m = ${OPENED_MARK}; if (m?.port !== ${port}) return false; ${hold ? `m.holders.add(${HOLDER});` : ''} return true; })()`;
  return evalValue<boolean>(session.evalChannel, expression).catch(() => false);
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
    if (err instanceof TargetClosedError) {
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

/** True once only this anode's session is connected to the inspector on `port`; false if others stay. */
async function alone(pid: number, port: number): Promise<boolean> {
  const deadline = Date.now() + OTHERS_WAIT_MS;
  for (;;) {
    const clients = await acceptedConnections(pid, port).catch(() => 0);
    if (clients <= SESSION_CONNECTIONS) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Evaluated in the target: this anode lets go; unless another still holds it, it closes a moment later. */
function closeInspectorExpression(): string {
  const close = `() => { if (${OPENED_MARK}?.holders?.size) return; delete ${OPENED_MARK}; ${AGENT_REF}.require('node:inspector').close(); }`;
  return `${OPENED_MARK}?.holders?.delete(${HOLDER}), setTimeout(${close}, ${CLOSE_DELAY_MS}).unref(), true`;
}

/**
 * Evaluated in the target: this anode lets go of the inspector; how many other anodes still hold it. In
 * the target's one thread, of two anodes leaving at once exactly one sees the other still holding it.
 */
const RELEASE_EXPRESSION = `(${OPENED_MARK}?.holders?.delete(${HOLDER}), ${OPENED_MARK}?.holders?.size ?? 0)`;

/** Leaves the target as it was: closes an inspector anode opened, then the connections. */
async function detach({ session, pidInspector, where, watchdog }: Attached): Promise<void> {
  watchdog?.disarm();
  // An anode that attached to an inspector another anode had just opened may only learn it now.
  const opened =
    pidInspector && (pidInspector.opened !== false || (await openedByAnode(session, pidInspector.socket.port))) ? pidInspector : undefined;
  if (!opened) {
    await session.close();
    return;
  }
  // Another anode still holds it: that one closes it when it leaves.
  const holders = await evalValue<number>(session.evalChannel, RELEASE_EXPRESSION).catch(() => 0);
  if (holders > 0) {
    await session.close();
    say(`another anode is attached through the inspector anode opened on ${where}: it stays open until that one leaves`);
    return;
  }
  // Another debugger attached meanwhile (anode's own session holds two connections): leave it open. The
  // connections of an anode that has just let go are closing: give them a moment.
  if (!(await alone(opened.pid, opened.socket.port))) {
    await session.close();
    say(`another debugger is connected to the inspector anode opened on ${where}: it was left open`);
    return;
  }
  const scheduled = await session.evalChannel
    .send('Runtime.evaluate', {
      expression: closeInspectorExpression(),
      returnByValue: true,
    })
    .then((r) => r.result.value === true)
    .catch(() => false);
  await session.close();
  // Not scheduled: another anode leaving at the same moment may have closed it (and this connection) first.
  if (!(await waitUntilClosed(opened.pid, opened.socket, scheduled ? CLOSE_WAIT_MS : CLOSE_DELAY_MS * 2))) {
    say(`could not close the inspector anode opened on ${where}; the program keeps running with it open`);
  }
}
