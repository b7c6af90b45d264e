// An inspector that `anode attach` opened must not stay open behind the user, even when anode is killed
// (SIGKILL) before it can close it. A small detached process holds a pipe from anode; if the pipe ends
// without anode disarming it first, it connects to that inspector and has the program close it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./close-watchdog-main.js', import.meta.url));

/** Stops the watchdog from acting: anode is leaving cleanly and closes (or keeps) the inspector itself. */
export interface CloseWatchdog {
  disarm(): void;
}

/** Starts the watchdog for the inspector at `url`; `closeExpression` is evaluated there if anode dies. */
export function startCloseWatchdog(url: string, closeExpression: string): CloseWatchdog {
  const child = spawn(process.execPath, [MAIN, url, closeExpression], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return {
    disarm: () => {
      if (!child.stdin!.destroyed) child.stdin!.end('disarm\n');
    },
  };
}
