// Ending the program the way it expects to be ended: first the signal a terminal user would send (SIGINT,
// as Ctrl-C does; `--kill-signal` changes it), then SIGTERM, then SIGKILL, each after a grace period, to its
// whole process group. Each escalation is said in one line; a child that outlives it all is killed by pid.
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, signalGroup } from './process-group.js';

export const DEFAULT_KILL_SIGNAL: NodeJS.Signals = 'SIGINT';
export const DEFAULT_GRACE_MS = 3000;
/** How often the group is looked at while waiting for it to empty. */
const POLL_MS = 50;

export interface StopPlan {
  /** The first signal (default SIGINT). */
  signal?: NodeJS.Signals;
  /** How long each signal is given before the next (default 3 s). */
  graceMs?: number;
  /** Where the one-line notices go (escalations, a pid killed). */
  notify?: (line: string) => void;
}

/** The signals sent in turn: the first one, then SIGTERM, then SIGKILL (none twice). */
export function signalSequence(first: NodeJS.Signals): NodeJS.Signals[] {
  return [...new Set<NodeJS.Signals>([first, 'SIGTERM', 'SIGKILL'])].slice(0, first === 'SIGKILL' ? 1 : undefined);
}

/** `1.5 s`, `3 s`, `200 ms`. */
export function formatGrace(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/**
 * Ends the group led by `pgid` (the program's pid) by `plan`; resolves with the signal that finally ended
 * the leader's wait (the last one sent), once the whole group is gone. `leaderGone` tells when the program
 * itself has exited (its children may still be there).
 */
export async function endGroup(pgid: number, leaderGone: () => boolean, plan: StopPlan = {}): Promise<NodeJS.Signals | undefined> {
  const graceMs = plan.graceMs ?? DEFAULT_GRACE_MS;
  const notify = plan.notify ?? (() => {});
  const sequence = signalSequence(plan.signal ?? DEFAULT_KILL_SIGNAL);
  let sent: NodeJS.Signals | undefined;
  for (let i = 0; i < sequence.length; i++) {
    const signal = sequence[i]!;
    const alive = groupMembers(pgid);
    if (alive.length === 0) break;
    // Which processes anode kills, by pid: the program, or children that outlived it.
    if (signal === 'SIGKILL' && sent) {
      for (const m of alive) notify(`killing pid ${m.pid} (${m.command}): still running ${formatGrace(graceMs)} after ${sent}`);
    }
    if (!signalGroup(pgid, signal)) break;
    sent = signal;
    if (signal === 'SIGKILL') break;
    if (await emptied(pgid, graceMs)) break;
    const next = sequence[i + 1]!;
    const who = leaderGone() ? describeLeft(groupMembers(pgid)) : 'the program';
    if (who && next !== 'SIGKILL') notify(`${who} did not exit within ${formatGrace(graceMs)} of ${signal}; sending ${next}`);
  }
  // After SIGKILL, the kernel takes a moment to remove them.
  await emptied(pgid, graceMs);
  return sent;
}

function describeLeft(members: { pid: number; command: string }[]): string | undefined {
  if (members.length === 0) return undefined;
  const list = members.map((m) => `pid ${m.pid} (${m.command})`).join(', ');
  return `the program exited, but ${list} of its process group`;
}

/** True once group `pgid` has no live member, false if it still has one after `ms`. */
async function emptied(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}
