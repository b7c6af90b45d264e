// Reaching a program for `anode attach` and leaving it as it was: by pid (opening its inspector with
// SIGUSR1 if needed, with a watchdog that closes it should anode die), or by HOST:PORT / ws:// URL; and on
// leaving, closing an inspector anode opened unless another anode or debugger still uses it.
import { randomUUID } from 'node:crypto';
import { isAnodeError, isTargetClosed, NoSuchProcessError, UsageError, WrongProcessError } from '../errors.js';
import { AGENT_REF } from '../session/agent.js';
import { loadCdp } from '../session/cdp-client.js';
import { openRemoteSession } from '../session/remote.js';
import { evalValue } from '../session/remote-object.js';
import type { EvalSession } from '../session/session.js';
import { reachPidInspector, stillRunsAfter, verifySameProcess, waitUntilClosed, type NodeProcess } from '../program/attach.js';
import { startCloseWatchdog, type CloseWatchdog } from '../program/close-watchdog.js';
import { hostPort, inspectorUrl, parseAttachTarget } from '../program/endpoint.js';
import { processTable, runsHere, type ListeningSocket } from '../program/process-table.js';
import { ignoreFailure } from '../log/debug.js';
import { say } from './say.js';
import { ignored } from '../log/debug.js';

/**
 * Who opened the inspector anode attached through: this anode, another anode, a SIGUSR1 whose sender is
 * not known yet ('signal': another anode may be recording itself this very moment), or nobody (it was open
 * from the start).
 */
export type Opened = 'self' | 'other' | 'signal' | false;

/** Where anode connected, and whether it must close the inspector again when leaving. */
export interface Attached {
  session: EvalSession;
  where: string;
  /** Attached by pid: that pid's inspector socket, and whether anode opened it (this anode, or another). */
  pidInspector?: { pid: number; socket: ListeningSocket; opened: Opened; process: NodeProcess };
  /** Closes an inspector anode opened if this anode dies before leaving (disarmed when it leaves). */
  watchdog?: CloseWatchdog;
}

// Node 20 can crash (SIGSEGV, measured 1 in 15-20) when inspector.close() runs while a client is still
// connected or disconnecting: the target closes it a moment after anode has left, and anode waits for it.
const CLOSE_DELAY_MS = 300;
const CLOSE_WAIT_MS = 3000;
/** How long other clients of the inspector may take to disconnect before they count as staying. */
const OTHERS_WAIT_MS = 1000;
/** Connections one anode session holds (evaluation + events; see session/remote.ts). */
const SESSION_CONNECTIONS = 2;

/** How long a program whose inspector connection dropped may take to be gone before it counts as running. */
const GONE_WAIT_MS = 500;

/** True if the attached program still runs here once its inspector connection is gone. */
export async function stillRuns(attached: Attached, pid: number, execPath: string | undefined): Promise<boolean> {
  if (attached.pidInspector) return stillRunsAfter(attached.pidInspector.process, GONE_WAIT_MS);
  return runsHere(pid, execPath);
}

/** Reaches the target, opens a session and (for a pid) checks it is that process. */
export async function connect(text: string, timeoutMs: number): Promise<Attached> {
  const target = parseAttachTarget(text);
  if (target.kind !== 'pid') {
    const where = target.kind === 'address' ? hostPort(target.host, target.port) : new URL(target.url).host;
    const url = target.kind === 'address' ? await inspectorUrl(target.host, target.port) : target.url;
    return { session: await openRemoteSession(url), where };
  }
  const { pid } = target;
  if (pid === process.pid) throw new UsageError('anode cannot attach to itself');
  // Loaded before the signal, not after: every millisecond between SIGUSR1 and the close is a millisecond
  // in which the inspector (and its /json/list) is open to every local user.
  ignoreFailure(loadCdp(), 'loading chrome-remote-interface');
  const earlier: { opened?: ListeningSocket } = {};
  try {
    return await connectPid(pid, timeoutMs, earlier);
  } catch (err) {
    // The pid still runs (an exit or a change is reported as such), but its inspector closed while anode
    // connected: another anode leaving at that moment closed it. Once more, from the start.
    if (!(isAnodeError(err, 'ANODE_CONNECT') || isTargetClosed(err))) throw err;
    // (Or it was exiting already, though still there when anode looked.)
    return connectPid(pid, timeoutMs, earlier, true).catch((again: unknown) => {
      throw isAnodeError(again, 'ANODE_NO_SUCH_PROCESS') ? new NoSuchProcessError(pid, 'it exited while anode was attaching') : again;
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
  let watchdog = found.openedByAnode ? startCloseWatchdog(pid, url, closeInspectorExpression()) : undefined;
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
  let opened: Opened = false;
  if (found.openedByAnode) {
    opened = 'self';
    await markOpened(session, socket.port);
  } else if (found.joined || !found.process.flags.openAtStart) {
    // Another anode opened it, or may have (a SIGUSR1 opened it, and the anode that sent it may not have
    // recorded that in the target yet): this one records itself as a holder now, so that the other one
    // leaving first does not close the inspector under it; the last holder to leave closes it, if an anode
    // opened it. A holder is guarded like an opener, so that its record cannot outlive it.
    opened = found.joined || (await openedByAnode(session, socket.port)) ? 'other' : 'signal';
    await holdInspector(session, socket.port);
    watchdog = startCloseWatchdog(pid, url, closeInspectorExpression());
  }
  return { session, where, pidInspector: { pid, socket, opened, process: found.process }, ...(watchdog ? { watchdog } : {}) };
}

/**
 * Where the target remembers the anodes attached through an inspector a SIGUSR1 opened: on which port,
 * whether an anode opened it (`opened`), and which anodes hold it (the close an anode schedules when
 * leaving does not happen while another one holds it).
 */
const OPENED_MARK = `globalThis[Symbol.for('anode.openedInspector')]`;
/** This anode, among the holders. */
const HOLDER = JSON.stringify(randomUUID());

/** Evaluated in the target: the record for `port` (a new one if it names another port), with this anode among its holders. */
function holdExpression(port: number): string {
  return `(() => { let m = ${OPENED_MARK}; if (m?.port !== ${port}) m = ${OPENED_MARK} = { port: ${port}, holders: new Set(), opened: false }; m.holders.add(${HOLDER}); return m; })()`;
}

function markOpened(session: EvalSession, port: number): Promise<unknown> {
  const expression = `(${holdExpression(port)}.opened = true, undefined)`;
  return session.evalChannel.send('Runtime.evaluate', { expression }).catch((err: unknown) => ignored('marking the inspector as opened by anode', err));
}

function holdInspector(session: EvalSession, port: number): Promise<unknown> {
  const expression = `(${holdExpression(port)}, undefined)`;
  return session.evalChannel.send('Runtime.evaluate', { expression }).catch((err: unknown) => ignored('recording this anode as a holder of the inspector', err));
}

/** True when an anode opened the target's inspector on `port` (and it has not been closed since). */
async function openedByAnode(session: EvalSession, port: number): Promise<boolean> {
  const expression = `(() => { const m = ${OPENED_MARK}; return m?.port === ${port} && m.opened === true; })()`;
  return evalValue<boolean>(session.evalChannel, expression).catch(() => false);
}

/**
 * How many connections other than this anode's session are open to the inspector on `port`, once those
 * that are closing (another anode that has just let go) had a moment to go. Only waited on and reported:
 * TCP connections say nothing about who holds them (a bare connection is no debugger), so they never
 * decide whether the inspector stays open.
 */
async function otherConnections(pid: number, port: number): Promise<number> {
  const deadline = Date.now() + OTHERS_WAIT_MS;
  for (;;) {
    const others = (await processTable().acceptedConnections(pid, port).catch(() => SESSION_CONNECTIONS)) - SESSION_CONNECTIONS;
    if (others <= 0 || Date.now() > deadline) return Math.max(0, others);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Evaluated in the target: this anode lets go; unless another holds it, it is closed a moment later (if an anode opened it). */
function closeInspectorExpression(): string {
  const close = `() => { const m = ${OPENED_MARK}; if (!m || m.holders.size > 0 || !m.opened) return; delete ${OPENED_MARK}; ${AGENT_REF}.require('node:inspector').close(); }`;
  return `${OPENED_MARK}?.holders?.delete(${HOLDER}), setTimeout(${close}, ${CLOSE_DELAY_MS}).unref(), true`;
}

/**
 * Evaluated in the target: this anode lets go of the inspector on `port`; whether an anode opened it and
 * how many other anodes still hold it. In the target's one thread, of two anodes leaving at once exactly
 * one sees the other still holding it.
 */
function releaseExpression(port: number): string {
  return `(() => { const m = ${OPENED_MARK}; if (m?.port !== ${port}) return { opened: false, holders: 0 }; m.holders.delete(${HOLDER}); return { opened: m.opened === true, holders: m.holders.size }; })()`;
}

/** Evaluated in the target: how many anodes hold the inspector right now. */
const HOLDERS_EXPRESSION = `${OPENED_MARK}?.holders?.size ?? 0`;

/**
 * Leaves the target as it was: closes an inspector anode opened, then the connections. The watchdog stays
 * armed until the close is scheduled (or left to another anode), so that anode dying anywhere in here
 * (EPIPE, a signal, a crash) still has the inspector closed.
 */
export async function detach({ session, pidInspector, where, watchdog }: Attached): Promise<void> {
  // The target's record says whether an anode opened it (one that attached as another was opening it may
  // only learn it now), and whether another anode still holds it (that one closes it when it leaves).
  const released = pidInspector
    ? await evalValue<{ opened: boolean; holders: number }>(session.evalChannel, releaseExpression(pidInspector.socket.port)).catch(() => ({
        opened: pidInspector.opened === 'self',
        holders: 0,
      }))
    : undefined;
  const opened = pidInspector && released?.opened ? pidInspector : undefined;
  if (!opened) {
    watchdog?.disarm();
    await session.close();
    return;
  }
  if (released!.holders > 0) {
    watchdog?.disarm();
    await session.close();
    say(`another anode is attached through the inspector anode opened on ${where}: it stays open until that one leaves`);
    return;
  }
  // Nobody anode knows of holds it: it is closed, whoever else is connected (a bare TCP connection must not
  // keep it open for every local user). Other connections are given a moment to go, then told about.
  const others = await otherConnections(opened.pid, opened.socket.port);
  // One of them may be an anode attaching at this very moment: it records itself within milliseconds.
  if (others > 0 && (await evalValue<number>(session.evalChannel, HOLDERS_EXPRESSION).catch(() => 0)) > 0) {
    watchdog?.disarm();
    await session.close();
    say(`another anode is attached through the inspector anode opened on ${where}: it stays open until that one leaves`);
    return;
  }
  const scheduled = await session.evalChannel
    .send('Runtime.evaluate', {
      expression: closeInspectorExpression(),
      returnByValue: true,
    })
    .then((r) => r.result.value === true)
    .catch(() => false);
  if (scheduled) watchdog?.disarm();
  else watchdog?.fire();
  await session.close();
  if (others > 0) {
    say(`closing the inspector anode opened on ${where} although ${others} other connection${others === 1 ? ' is' : 's are'} open to it (a debugger or a stray client, cut off now; an anode attaching at this very moment keeps it instead)`);
  }
  // Not scheduled: another anode leaving at the same moment may have closed it (and this connection) first.
  if (!(await waitUntilClosed(opened.pid, opened.socket, scheduled ? CLOSE_WAIT_MS : CLOSE_DELAY_MS * 2 + CLOSE_WAIT_MS))) {
    say(`could not close the inspector anode opened on ${where}; the program keeps running with it open`);
  }
}
