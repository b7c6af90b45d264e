// Reaching the inspector of a running pid: check the process (exists, is Node, ours to signal), use an
// inspector that is already listening or turn one on with SIGUSR1, and find ITS port from /proc (the
// listening sockets that appear after the signal), so nothing is ever sent to the program's own ports.
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
  ProcessPermissionError,
  TargetClosedError,
} from '../errors.js';
import { isLoopback } from '../net/loopback.js';
import { connectHost, hostPort, inspectorUrl } from './endpoint.js';
import { inspectorFlags, type InspectorFlags } from './node-flags.js';
import {
  isNodeExecutable,
  ownListening,
  readCmdline,
  readEnvVar,
  readExe,
  readListeningTable,
  readStatus,
  sameNetwork,
  userNameOf,
  type ListeningSocket,
  type ProcStatus,
} from './proc.js';

/** A checked Node.js process: its command line and inspector flags. */
export interface NodeProcess {
  pid: number;
  exe: string;
  argv: string[];
  flags: InspectorFlags;
  status: ProcStatus;
}

/** The inspector of a pid, ready to connect to. */
export interface PidInspector {
  url: string;
  /** `host:port` it listens on. */
  where: string;
  /** anode turned it on (and should turn it off again when leaving). */
  openedByAnode: boolean;
  /** Its listening socket. */
  socket: ListeningSocket;
  process: NodeProcess;
}

const ACTIVATION_TIMEOUT_MS = 5000;
const POLL_MS = 20;

/** Checks that `pid` exists, may be signalled by this user and is Node.js; touches nothing. */
export async function checkNodeProcess(pid: number): Promise<NodeProcess> {
  let status: ProcStatus;
  try {
    status = await readStatus(pid);
  } catch {
    throw new NoSuchProcessError(pid);
  }
  if (status.zombie) throw new NoSuchProcessError(pid, 'it has exited');
  try {
    process.kill(pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new ProcessPermissionError(pid, ownerName(status.uid), err);
    throw new NoSuchProcessError(pid);
  }
  const exe = await readExe(pid);
  const argv = await readCmdline(pid).catch(() => []);
  if (exe === undefined) throw new NotNodeProcessError(pid, 'its executable cannot be read');
  if (!isNodeExecutable(exe)) {
    throw new NotNodeProcessError(pid, `it runs ${exe}${argv.length ? `: ${argv.join(' ').slice(0, 80)}` : ''}`);
  }
  const flags = inspectorFlags(argv, await readEnvVar(pid, 'NODE_OPTIONS'));
  return { pid, exe, argv, flags, status };
}

/** Finds (or opens) the inspector of `pid` and returns its WebSocket URL. */
export async function reachPidInspector(pid: number, timeoutMs = ACTIVATION_TIMEOUT_MS): Promise<PidInspector> {
  const proc = await checkNodeProcess(pid);
  const { flags } = proc;
  if (proc.argv.some((a) => /[\\/]target[\\/]preload\.cjs$/.test(a))) throw new AnodeRunTargetError(pid);
  if (!flags.listsTargets) throw new HiddenInspectorError('', pid);
  if (!(await sameNetwork(pid))) throw new OtherNetworkError(pid);
  const own = await ownListening(pid).catch(() => {
    throw new NoSuchProcessError(pid, 'it has exited');
  });
  // Already listening on its inspector port (opened at start, or by an earlier SIGUSR1)?
  const open = flags.port !== 0 ? own.find((s) => s.port === flags.port) : undefined;
  if (open) return { ...(await connectTo(open)), openedByAnode: false, process: proc };
  if (flags.openAtStart && flags.port === 0) throw new InspectorPortUnknownError(pid, own.map(describe));

  if (flags.sigusr1Disabled) throw new ActivationDisabledError(pid, 'it was started with --disable-sigusr1');
  if (flags.permission) throw new ActivationDisabledError(pid, 'it runs under the permission model, which disables inspector activation');
  if (proc.status.sigusr1 !== 'caught') {
    throw new ActivationDisabledError(
      pid,
      proc.status.sigusr1 === 'default'
        ? 'it does not handle SIGUSR1 (sending it would kill it)'
        : `it ${proc.status.sigusr1 === 'ignored' ? 'ignores' : 'blocks'} SIGUSR1, which opens the inspector`,
    );
  }
  if (!isLoopback(flags.host)) throw new ExposedInspectorError(pid, hostPort(flags.host, flags.port));
  const busy = await portTakenByOthers(pid, flags, own);
  if (busy) throw new InspectorPortBusyError(pid, busy, false);

  const before = new Set(own.map((s) => s.inode));
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await ownListening(pid).catch(() => {
      throw new TargetClosedError(`pid ${pid} exited while its inspector was being opened`);
    });
    const fresh = now.filter((s) => !before.has(s.inode));
    const chosen = pickInspector(fresh, flags);
    if (chosen) return { ...(await connectTo(chosen)), openedByAnode: true, process: proc };
    if (Date.now() > deadline) {
      const taken = await portTakenByOthers(pid, flags, now);
      if (taken) throw new InspectorPortBusyError(pid, taken, true);
      throw new ActivationTimeoutError(pid, timeoutMs, now.map(describe));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Among sockets that appeared after SIGUSR1, the inspector's: on its port if fixed, else on its host. */
export function pickInspector(fresh: ListeningSocket[], flags: Pick<InspectorFlags, 'host' | 'port'>): ListeningSocket | undefined {
  if (flags.port !== 0) return fresh.find((s) => s.port === flags.port);
  return fresh.find((s) => s.host === flags.host) ?? (fresh.length === 1 ? fresh[0] : undefined);
}

async function connectTo(socket: ListeningSocket): Promise<{ url: string; where: string; socket: ListeningSocket }> {
  const host = connectHost(socket.host);
  return { url: await inspectorUrl(host, socket.port), where: hostPort(host, socket.port), socket };
}

/** Waits until `pid` no longer listens on `socket` (or is gone); false if it still does after `ms`. */
export async function waitUntilClosed(pid: number, socket: ListeningSocket, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const own = await ownListening(pid).catch(() => []);
    if (!own.some((s) => s.inode === socket.inode)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** `host:port` when the target's fixed inspector port is held by another process. */
async function portTakenByOthers(pid: number, flags: InspectorFlags, own: ListeningSocket[]): Promise<string | undefined> {
  if (flags.port === 0) return undefined;
  const mine = new Set(own.map((s) => s.inode));
  const table = await readListeningTable(pid);
  const other = table.find((s) => s.port === flags.port && !mine.has(s.inode));
  return other ? hostPort(flags.host, flags.port) : undefined;
}

function describe(s: ListeningSocket): string {
  return hostPort(s.host, s.port);
}

function ownerName(uid: number): string {
  const name = userNameOf(uid);
  return name ?? `uid ${uid}`;
}
