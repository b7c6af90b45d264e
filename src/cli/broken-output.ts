// anode's own stdout or stderr going away under it (`anode attach PID -e EXPR | head -1`: EPIPE) is an
// ordinary way to end, like a hang-up: never a crash with a stack. Without a listener, the stream's 'error'
// would be an uncaught exception, and the way out would skip closing what anode opened in the program.
import { ignored } from '../log/debug.js';

let broken: 'stdout' | 'stderr' | undefined;
const listeners = new Set<(stream: 'stdout' | 'stderr') => void>();

/** The stream of anode's that broke first, if any did. */
export function brokenOutput(): 'stdout' | 'stderr' | undefined {
  return broken;
}

/**
 * Calls `onBroken` once when anode's stdout or stderr fails (its reader left). Later failures of either are
 * ignored for good: there is no one left to tell. Returns a function that stops calling `onBroken`.
 */
export function onBrokenOutput(onBroken: (stream: 'stdout' | 'stderr') => void): () => void {
  guardOutput();
  if (broken !== undefined) queueMicrotask(() => onBroken(broken!));
  else listeners.add(onBroken);
  return () => void listeners.delete(onBroken);
}

let installed = false;
/** Listens for failures of anode's stdout and stderr from now on (so that none is ever an uncaught exception). */
export function guardOutput(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      ignored(`anode's ${name}`, err);
      if (broken !== undefined) return;
      broken = name;
      for (const listener of listeners) listener(name);
      listeners.clear();
    });
  }
}

/** How often a hang-up is told again while the console it should end has not yet listened for it. */
const HANG_UP_AGAIN_MS = 200;

/**
 * Ends a console held on the terminal the way a hang-up does (SIGHUP listeners), once output is gone. The
 * output may break before the console listens for SIGHUP: it is told again until the returned function
 * is called (when the console has ended).
 */
export function hangUpOnBrokenOutput(): () => void {
  let again: NodeJS.Timeout | undefined;
  const stop = onBrokenOutput(() => {
    process.emit('SIGHUP' as never);
    again = setInterval(() => process.emit('SIGHUP' as never), HANG_UP_AGAIN_MS);
  });
  return () => {
    stop();
    clearInterval(again);
  };
}
