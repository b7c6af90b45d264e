// This user's Node.js processes, read from /proc (nothing is sent to them): for `anode ps`.
import { inspectorFlags } from './node-flags.js';
import { isNodeExecutable, listPids, ownListening, readCmdline, readEnvVar, readExe, readStatus } from './proc.js';
import { hostPort } from './endpoint.js';

/** One Node.js process as `anode ps` shows it. */
export interface NodeProcessEntry {
  pid: number;
  /** The entry script (or `-e …`), when there is one. */
  main: string | undefined;
  command: string;
  /** `host:port` of its listening inspector, a note when anode cannot tell, or undefined when none listens. */
  inspector: string | undefined;
}

/** Node.js processes owned by `uid` (default: this user), except anode itself. */
export async function listNodeProcesses(uid = process.getuid?.() ?? 0): Promise<NodeProcessEntry[]> {
  const entries: NodeProcessEntry[] = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    try {
      const status = await readStatus(pid);
      if (status.uid !== uid || status.zombie) continue;
      const exe = await readExe(pid);
      if (exe === undefined || !isNodeExecutable(exe)) continue;
      const argv = await readCmdline(pid);
      const flags = inspectorFlags(argv, await readEnvVar(pid, 'NODE_OPTIONS'));
      const own = await ownListening(pid).catch(() => []);
      const listening = flags.port !== 0 ? own.find((s) => s.port === flags.port) : undefined;
      let inspector: string | undefined;
      if (!flags.listsTargets) inspector = 'hidden (ws:// URL only)';
      else if (listening) inspector = hostPort(listening.host, listening.port);
      else if (flags.openAtStart && flags.port === 0) inspector = 'open, port unknown';
      entries.push({ pid, main: flags.main, command: argv.join(' '), inspector });
    } catch {
      // it exited while we looked
    }
  }
  return entries.sort((a, b) => a.pid - b.pid);
}
