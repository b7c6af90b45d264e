// Every process a test starts is registered here and killed after the test, whatever happened.
import { afterEach } from 'vitest';
import { waitUntil } from './wait.js';

type Killable = { kill(signal?: NodeJS.Signals): void; readonly description: string; readonly output: () => string };

const live = new Set<Killable>();

/** Registers a process (or pty) to be killed after the current test. */
export function track<T extends Killable>(p: T): T {
  live.add(p);
  return p;
}

/** Forgets a process that ended by itself. */
export function untrack(p: Killable): void {
  live.delete(p);
}

/** Kills a pid (and its process group, if it leads one) without failing if it is gone already. */
export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/** True while `pid` exists (and is not a zombie we can see). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `pid` is gone (fails the test after 20 s). */
export function gone(pid: number): Promise<boolean> {
  return waitUntil(() => !isAlive(pid), () => `pid ${pid} still alive`, 20_000);
}

afterEach((ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const p of live) {
    if (failed) console.error(`--- output of ${p.description} ---\n${p.output()}\n--- end ---`);
    p.kill('SIGKILL');
  }
  live.clear();
});
