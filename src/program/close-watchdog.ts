// An inspector that `anode attach` opened must not stay open behind the user, even when anode is killed
// (SIGKILL) before it can close it. A small detached process holds a pipe from anode; if the pipe ends
// without anode disarming it first, it connects to that inspector and has the program close it (unless
// another anode still holds it). Its command line is world-readable (`ps`), so it carries only the pid and
// the inspector's port (which tells a second anode attaching to the same pid which of the program's ports
// is the inspector anode opened); the ws URL and the expressions, which hold secrets, come over the pipe.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignored } from '../log/debug.js';
import { processTable } from './process-table.js';

const MAIN = fileURLToPath(new URL('./close-watchdog-main.js', import.meta.url));

/** What the watchdog is told over its pipe, as its first line (JSON). */
export interface WatchdogOrders {
  url: string;
  /** Evaluated in the target when anode died: lets go of the inspector and closes it unless another anode holds it. */
  close: string;
}

/** Stops the watchdog from acting: anode is leaving cleanly and closes (or keeps) the inspector itself. */
export interface CloseWatchdog {
  disarm(): void;
  /** Lets it act now, as if anode had died: it closes the inspector unless another anode holds it. */
  fire(): void;
}

/** Starts the watchdog for the inspector of `pid` at `url`. If anode dies, it evaluates `closeExpression` there. */
export function startCloseWatchdog(pid: number, url: string, closeExpression: string): CloseWatchdog {
  const port = new URL(url).port;
  const child = spawn(process.execPath, [MAIN, String(pid), port], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.on('error', (err) => ignored('close watchdog spawn', err));
  child.stdin!.on('error', (err) => ignored('close watchdog pipe', err));
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const orders: WatchdogOrders = { url, close: closeExpression };
  child.stdin!.write(`${JSON.stringify(orders)}\n`);
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
    if (path.basename(argv[1] ?? '') !== name || argv[2] !== String(pid) || !/^\d+$/.test(argv[3] ?? '')) continue;
    ports.push(Number(argv[3]));
  }
  return ports;
}
