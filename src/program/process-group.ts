// The program's process group: `anode run` starts the program as the leader of its own group, so the
// children it forks (a `child_process.fork` server, `cluster` workers, what `npm start` runs) share it and
// end with it, the way a terminal ends a foreground job. Read from the process table (/proc, or ps), without
// asking any process.
import { ignored } from '../log/debug.js';
import { processTable, type GroupMember } from './process-table.js';

/**
 * A command line of at most 80 characters: the middle gives way, so the program and its arguments (which
 * tell processes of one binary apart) stay at the end and the binary at the start.
 */
function shortened(command: string): string {
  return command.length > 80 ? `${command.slice(0, 24)}...${command.slice(-53)}` : command;
}

/**
 * The live members of process group `pgid` (zombies are left out: they are already gone), their command
 * lines shortened for the one line that says one was killed.
 */
export function groupMembers(pgid: number): GroupMember[] {
  return processTable().groupMembers(pgid).map((m) => ({ pid: m.pid, command: shortened(m.command) }));
}

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    ignored(`${signal} to process group ${pgid}`, err);
    return false;
  }
}
