// This user's Node.js processes, from the process table (nothing is sent to them): for `anode ps`.
import { ignored } from '../log/debug.js';
import { inspectorFlags } from './node-flags.js';
import { isNodeExecutable } from './proc.js';
import { processTable } from './process-table.js';
import { hostPort } from './endpoint.js';

/** One Node.js process as `anode ps` shows it. */
export interface NodeProcessEntry {
  pid: number;
  /** The entry script (or `-e …`), when there is one. */
  main: string | undefined;
  command: string;
  /** `host:port` of its listening inspector, a note when anode cannot tell, or undefined when none listens. */
  inspector: string | undefined;
  /** Its parent's pid: a cluster primary's workers and a parent's forked children hang under it. */
  ppid: number;
  /** A cluster worker (its parent started it with cluster.fork()). */
  clusterWorker: boolean;
}

/** Node.js processes owned by `uid` (default: this user), except anode itself. */
export async function listNodeProcesses(uid = process.getuid?.() ?? 0): Promise<NodeProcessEntry[]> {
  const table = processTable();
  const entries: NodeProcessEntry[] = [];
  for (const { pid, ppid, exe, argv } of await table.list({ uid, executables: true })) {
    if (pid === process.pid || exe === undefined || !isNodeExecutable(exe)) continue;
    try {
      const flags = inspectorFlags(argv, await table.environmentVariable(pid, 'NODE_OPTIONS'));
      const own = await table.listening(pid).catch((err: unknown) => {
        ignored(`reading the sockets of pid ${pid}`, err);
        return [];
      });
      const listening = flags.port !== 0 ? own.find((s) => s.port === flags.port) : undefined;
      let inspector: string | undefined;
      if (!flags.listsTargets) inspector = 'hidden (ws:// URL only)';
      else if (listening) inspector = hostPort(listening.host, listening.port);
      else if (flags.openAtStart && flags.port === 0) inspector = 'open, port unknown';
      const clusterWorker = (await table.environmentVariable(pid, 'NODE_UNIQUE_ID')) !== undefined;
      entries.push({ pid, ppid, main: flags.main, command: argv.join(' '), inspector, clusterWorker });
    } catch (err) {
      ignored(`listing pid ${pid} (it exited while anode looked?)`, err);
    }
  }
  return entries.sort((a, b) => a.pid - b.pid);
}

/** One process of the tree and its depth: a process whose parent is listed comes right under it. */
export interface TreeRow {
  entry: NodeProcessEntry;
  depth: number;
  /** The last of its parent's children (drawn `└─`, the others `├─`). */
  last: boolean;
}

/** `entries` in tree order: each parent followed by its children (by pid), depth first. */
export function processTree(entries: NodeProcessEntry[]): TreeRow[] {
  const listed = new Set(entries.map((e) => e.pid));
  const children = new Map<number, NodeProcessEntry[]>();
  for (const e of entries) {
    if (!listed.has(e.ppid) || e.ppid === e.pid) continue;
    children.set(e.ppid, [...(children.get(e.ppid) ?? []), e]);
  }
  const rows: TreeRow[] = [];
  const visit = (e: NodeProcessEntry, depth: number, last: boolean): void => {
    rows.push({ entry: e, depth, last });
    const kids = (children.get(e.pid) ?? []).sort((a, b) => a.pid - b.pid);
    kids.forEach((k, i) => visit(k, depth + 1, i === kids.length - 1));
  };
  for (const e of entries) if (!listed.has(e.ppid) || e.ppid === e.pid) visit(e, 0, true);
  return rows;
}

/** The Node.js processes whose parent is `pid` (a cluster primary's workers, a parent's forked children). */
export async function childNodeProcesses(pid: number, uid?: number): Promise<NodeProcessEntry[]> {
  return (await listNodeProcesses(uid)).filter((e) => e.ppid === pid);
}
