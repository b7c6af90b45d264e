// Reaching the inspector of a running pid: check the process (exists, is Node, ours to signal), use an
// inspector that is already listening or turn one on with SIGUSR1, and find ITS port from the process
// table (the listening sockets that appear after the signal), so nothing is ever sent to the program's
// own ports.
import {
  ActivationDisabledError,
  ActivationTimeoutError,
  ExposedInspectorError,
  AnodeRunTargetError,
  HiddenInspectorError,
  InspectorPortBusyError,
  InspectorPortUnknownError,
  NoSuchProcessError,
  NotNodeProcessError,
  OtherNetworkError,
  ProcessChangedError,
  ProcessPermissionError,
} from '../errors.js';
import { debug, ignored } from '../log/debug.js';
import { isLoopback } from '../net/loopback.js';
import { connectHost, hostPort, inspectorUrl } from './endpoint.js';
import { inspectorFlags, type InspectorFlags } from './node-flags.js';
import { isNodeExecutable } from './proc.js';
import { processTable, type ListeningSocket, type ProcessIdentity } from './process-table.js';
import { watchedInspectorPorts } from './close-watchdog.js';

/** A checked Node.js process: its identity (start time, executable, command line) and inspector flags. */
export interface NodeProcess extends ProcessIdentity {
  exe: string;
  flags: InspectorFlags;
}

/** The inspector of a pid, ready to connect to. */
export interface PidInspector {
  url: string;
  /** `host:port` it listens on. */
  where: string;
  /** This anode turned it on (and should turn it off again when leaving). */
  openedByAnode: boolean;
  /** Another anode turned it on and is attached through it (see close-watchdog.ts): this one joined. */
  joined: boolean;
  /** Its listening socket. */
  socket: ListeningSocket;
  process: NodeProcess;
}

const ACTIVATION_TIMEOUT_MS = 5000;
const POLL_MS = 20;
/** While its inspector is being opened: the socket is looked for more often (it appears within ~10-40 ms). */
const ACTIVATION_POLL_MS = 5;

/** Checks that `pid` exists, may be signalled by this user and is Node.js; touches nothing. */
export async function checkNodeProcess(pid: number): Promise<NodeProcess> {
  const table = processTable();
  const identity = await table.identity(pid);
  if (!identity) throw new NoSuchProcessError(pid);
  try {
    process.kill(pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new ProcessPermissionError(pid, ownerName(identity.uid), err);
    throw new NoSuchProcessError(pid);
  }
  const { exe, argv } = identity;
  if (exe === undefined) throw new NotNodeProcessError(pid, 'its executable cannot be read');
  if (!isNodeExecutable(exe)) {
    throw new NotNodeProcessError(pid, `it runs ${exe}${argv.length ? `: ${argv.join(' ').slice(0, 80)}` : ''}`);
  }
  const flags = inspectorFlags(argv, await table.environmentVariable(pid, 'NODE_OPTIONS'));
  return { ...identity, exe, flags };
}

/**
 * Throws unless `pid` still names the process `checkNodeProcess` checked: same start time (a reused pid
 * has a later one), executable and command line (an exec keeps the pid and the start time), and, before a
 * signal, still catching SIGUSR1. Synchronous: nothing runs between this and a signal sent right after it.
 */
export function verifySameProcess(proc: NodeProcess, moment: string, forSignal = false): void {
  const now = processTable().identitySync(proc.pid);
  if (now === undefined) throw new NoSuchProcessError(proc.pid, `it exited ${moment}`);
  if (now.startTime !== proc.startTime) throw new ProcessChangedError(proc.pid, 'that process exited and the pid now names a newer one');
  // Same start time but no executable to read: the process is exiting (a zombie has none).
  if (!now.exe && proc.exe) throw new NoSuchProcessError(proc.pid, `it exited ${moment}`);
  if (now.exe !== proc.exe) throw new ProcessChangedError(proc.pid, `it now runs ${now.exe}`);
  if (now.argv.join('\0') !== proc.argv.join('\0')) throw new ProcessChangedError(proc.pid, `its command line is now: ${now.argv.join(' ').slice(0, 80)}`);
  if (forSignal && now.sigusr1 !== 'caught') throw new ProcessChangedError(proc.pid, 'it no longer handles SIGUSR1');
}

/** True if the checked process still runs after `ms` (false as soon as it is gone or another process). */
export async function stillRunsAfter(proc: NodeProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      verifySameProcess(proc, '');
    } catch {
      return false;
    }
    if (Date.now() > deadline) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Sends SIGUSR1 (inspector activation) to a checked process, re-verified immediately before. */
export function signalInspector(proc: NodeProcess): void {
  verifySameProcess(proc, 'before anode could signal it', true);
  try {
    process.kill(proc.pid, 'SIGUSR1');
  } catch {
    // ESRCH: it exited in the instant between the check and the signal.
    throw new NoSuchProcessError(proc.pid, 'it exited before anode could signal it');
  }
}

/** Finds (or opens) the inspector of `pid` and returns its WebSocket URL; `openedBefore`: a socket an earlier attempt opened. */
export async function reachPidInspector(pid: number, timeoutMs = ACTIVATION_TIMEOUT_MS, openedBefore?: ListeningSocket): Promise<PidInspector> {
  const proc = await checkNodeProcess(pid);
  debug('attach: pid %d is a Node.js process of this user (SIGUSR1 %s)', pid, proc.sigusr1);
  const { flags } = proc;
  if (proc.argv.some((a) => /[\\/]program[\\/]preload\.cjs$/.test(a))) throw new AnodeRunTargetError(pid);
  if (!flags.listsTargets) throw new HiddenInspectorError('', pid);
  const table = processTable();
  if (!(await table.sameNetwork(pid))) throw new OtherNetworkError(pid);
  const own = await table.listening(pid).catch(() => {
    throw new NoSuchProcessError(pid, 'it has exited');
  });
  const reach = async (socket: ListeningSocket, openedByAnode: boolean, joined: boolean): Promise<PidInspector> => {
    try {
      return { ...(await connectTo(socket)), openedByAnode, joined, process: proc };
    } catch (err) {
      verifySameProcess(proc, 'while anode was connecting to its inspector');
      throw err;
    }
  };
  // Opened by this anode's earlier attempt (still there)?
  const mine = openedBefore && own.find((s) => s.inode === openedBefore.inode);
  if (mine) return reach(mine, true, false);
  // Opened by another anode that is attached right now (its watchdog names the port)?
  const shared = await joinable(pid, own);
  if (shared) return reach(shared, false, true);
  // Already listening on its inspector port (opened at start, or by an earlier SIGUSR1)?
  const open = flags.port !== 0 ? own.find((s) => s.port === flags.port) : undefined;
  if (open) return reach(open, false, false);
  if (flags.openAtStart && flags.port === 0) throw new InspectorPortUnknownError(pid, own.map(describe));

  if (flags.sigusr1Disabled) throw new ActivationDisabledError(pid, 'it was started with --disable-sigusr1');
  if (flags.permission) throw new ActivationDisabledError(pid, 'it runs under the permission model, which disables inspector activation');
  if (proc.sigusr1 !== 'caught') {
    throw new ActivationDisabledError(
      pid,
      proc.sigusr1 === 'default'
        ? 'it does not handle SIGUSR1 (sending it would kill it)'
        : `it ${proc.sigusr1 === 'ignored' ? 'ignores' : 'blocks'} SIGUSR1, which opens the inspector`,
    );
  }
  if (!isLoopback(flags.host)) throw new ExposedInspectorError(pid, hostPort(flags.host, flags.port));
  const busy = await portTakenByOthers(pid, flags);
  if (busy) throw new InspectorPortBusyError(pid, busy, false);

  const before = new Set(own.map((s) => s.inode));
  const vanished = new Set<string>();
  signalInspector(proc);
  debug('attach: SIGUSR1 sent to pid %d; waiting for its inspector to listen', pid);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    verifySameProcess(proc, 'while its inspector was being opened');
    const now = await table.listening(pid).catch((err: unknown): ListeningSocket[] => {
      ignored(`reading the sockets of pid ${pid} (checked again next round)`, err);
      return [];
    });
    const fresh = now.filter((s) => !before.has(s.inode));
    // A socket that was there closed: perhaps an inspector another anode opened and has just closed,
    // which made our signal a no-op. A signal now reopens it (and is a no-op for an open inspector).
    const closed = [...before].filter((inode) => !vanished.has(inode) && !now.some((s) => s.inode === inode));
    if (closed.length > 0) {
      closed.forEach((inode) => vanished.add(inode));
      signalInspector(proc);
    }
    const chosen = pickInspector(fresh, flags);
    if (chosen) return reach(chosen, true, false);
    // Another anode's SIGUSR1 opened it just before ours (a no-op then): join that one.
    const other = await joinable(pid, now);
    if (other) return reach(other, false, true);
    if (Date.now() > deadline) {
      const taken = await portTakenByOthers(pid, flags);
      if (taken) throw new InspectorPortBusyError(pid, taken, true);
      throw new ActivationTimeoutError(pid, timeoutMs, now.map(describe));
    }
    await new Promise((r) => setTimeout(r, ACTIVATION_POLL_MS));
  }
}

/** Among sockets that appeared after SIGUSR1, the inspector's: on its port if fixed, else on its host. */
export function pickInspector(fresh: ListeningSocket[], flags: Pick<InspectorFlags, 'host' | 'port'>): ListeningSocket | undefined {
  if (flags.port !== 0) return fresh.find((s) => s.port === flags.port);
  return fresh.find((s) => s.host === flags.host) ?? (fresh.length === 1 ? fresh[0] : undefined);
}

async function connectTo(socket: ListeningSocket): Promise<{ url: string; where: string; socket: ListeningSocket }> {
  const host = connectHost(socket.host);
  debug('attach: the inspector listens on %s; asking it for its target', hostPort(host, socket.port));
  return { url: await inspectorUrl(host, socket.port), where: hostPort(host, socket.port), socket };
}

/** The socket of `own` that another anode opened as `pid`'s inspector and is attached through. */
async function joinable(pid: number, own: ListeningSocket[]): Promise<ListeningSocket | undefined> {
  if (own.length === 0) return undefined;
  const ports = await watchedInspectorPorts(pid);
  return own.find((s) => ports.includes(s.port));
}

/** Waits until `pid` no longer listens on `socket` (or is gone); false if it still does after `ms`. */
export async function waitUntilClosed(pid: number, socket: ListeningSocket, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const own = await processTable()
      .listening(pid)
      .catch((err: unknown) => {
        ignored(`reading the sockets of pid ${pid} (gone?)`, err);
        return [];
      });
    if (!own.some((s) => s.inode === socket.inode)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * `host:port` when the target's fixed inspector port is held by another process. Its own sockets are read
 * again here: another anode's SIGUSR1 may have opened that port in the target since the last look.
 */
async function portTakenByOthers(pid: number, flags: InspectorFlags): Promise<string | undefined> {
  if (flags.port === 0) return undefined;
  const table = processTable();
  const onPort = await table.listeningOnPort(pid, flags.port);
  const own = await table.listening(pid).catch((err: unknown): ListeningSocket[] => {
    ignored(`reading the sockets of pid ${pid}`, err);
    return [];
  });
  const mine = new Set(own.map((s) => s.inode));
  const other = onPort.find((s) => !mine.has(s.inode));
  return other ? hostPort(flags.host, flags.port) : undefined;
}

function describe(s: ListeningSocket): string {
  return hostPort(s.host, s.port);
}

function ownerName(uid: number): string {
  const name = processTable().userName(uid);
  return name ?? `uid ${uid}`;
}
