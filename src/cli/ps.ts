// `anode ps`: this user's Node.js processes, to find the pid to attach to.
import { Command } from 'commander';
import { listNodeProcesses, processTree } from '../program/node-processes.js';
import { withExamples } from './help-text.js';

/** Prints the table on stdout; resolves to the exit code. */
export async function ps(): Promise<number> {
  const list = await listNodeProcesses();
  if (list.length === 0) {
    process.stderr.write('anode: no Node.js processes of this user are running\n');
    return 0;
  }
  // A tree: a cluster primary's workers and a parent's forked children are drawn under it.
  const tree = processTree(list).map(({ entry: p, depth, last }) => {
    const branch = depth === 0 ? '' : `${'   '.repeat(depth - 1)}${last ? '└─ ' : '├─ '}`;
    return [String(p.pid), p.inspector ?? '-', `${branch}${p.clusterWorker ? '[cluster worker] ' : ''}${p.command}`];
  });
  const rows = [['PID', 'INSPECTOR', 'COMMAND'], ...tree];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const maxCommand = process.stdout.isTTY ? Math.max(20, (process.stdout.columns ?? 120) - widths[0]! - widths[1]! - 4) : Infinity;
  for (const [pid, inspector, command] of rows) {
    const cmd = command!.length > maxCommand ? `${command!.slice(0, maxCommand - 1)}…` : command!;
    process.stdout.write(`${pid!.padStart(widths[0]!)}  ${inspector!.padEnd(widths[1]!)}  ${cmd}\n`);
  }
  return 0;
}

/** The `ps` command. */
export function psCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('ps')
    .description("list this user's Node.js processes as a tree (children under their parent): pid, inspector, command")
    .helpOption('-h, --help', 'show this help')
    .action(async () => setExitCode(await ps()));
  return withExamples(cmd, [
    ['anode ps', 'then: anode attach PID'],
  ]);
}
