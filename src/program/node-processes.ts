// This user's Node.js processes, from the process table (nothing is sent to them): for `anode ps`.
import { ignored } from '../log/debug.js';
import { inspectorFlags } from './node-flags.js';
import { isNodeExecutable } from './proc.js';
import { processTable } from './process-table.js';
import { hostPort } from './endpoint.js';

/** One Node.js process as `anode ps` shows it. */
export interface NodeProcessEntry {
  pid: number;
  /** Parent pid. */
  ppid: number;
  /** The entry script (or `-e …`), when there is one. */
  main: string | undefined;
  command: string;
  /** `host:port` of its listening inspector, a note when anode cannot tell, or undefined when none listens. */
  inspector: string | undefined;
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
      entries.push({ pid, ppid, main: flags.main, command: argv.join(' '), inspector });
    } catch (err) {
      ignored(`listing pid ${pid} (it exited while anode looked?)`, err);
    }
  }
  return entries.sort((a, b) => a.pid - b.pid);
}
