// An inspector that `anode attach` opened must not stay open behind the user, even when anode is killed
// (SIGKILL) before it can close it. A small detached process holds a pipe from anode; if the pipe ends
// without anode disarming it first, it connects to that inspector and has the program close it (unless
// another debugger is still connected). While it lives, its command line (`… PID URL …`) also tells a
// second anode attaching to the same pid which of the program's ports is the inspector anode opened.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignored } from '../log/debug.js';
import { processTable } from './process-table.js';

const MAIN = fileURLToPath(new URL('./close-watchdog-main.js', import.meta.url));

/** Stops the watchdog from acting: anode is leaving cleanly and closes (or keeps) the inspector itself. */
export interface CloseWatchdog {
  disarm(): void;
  /** Lets it act now, as if anode had died: it closes the inspector unless another debugger is connected. */
  fire(): void;
}

/**
 * Starts the watchdog for the inspector of `pid` at `url`. If anode dies, it evaluates `closeExpression`
 * there, or `releaseExpression` when another client is still connected.
 */
export function startCloseWatchdog(pid: number, url: string, closeExpression: string, releaseExpression = ''): CloseWatchdog {
  const child = spawn(process.execPath, [MAIN, String(pid), url, closeExpression, releaseExpression], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const end = (text: string): void => {
    if (!child.stdin!.destroyed) child.stdin!.end(text);
  };
  return { disarm: () => end('disarm\n'), fire: () => end('') };
}

/** Ports of inspectors that anode opened in `pid` and guards right now (from this user's watchdogs). */
export async function watchedInspectorPorts(pid: number, uid = process.getuid?.()): Promise<number[]> {
  const ports: number[] = [];
  const name = path.basename(MAIN);
  for (const { argv } of await processTable().list({ uid })) {
    if (path.basename(argv[1] ?? '') !== name || argv[2] !== String(pid) || !argv[3]) continue;
    try {
      ports.push(Number(new URL(argv[3]).port));
    } catch (err) {
      ignored(`a watchdog's inspector URL ${argv[3]}`, err);
    }
  }
  return ports;
}
