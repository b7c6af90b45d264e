// `.workers` as text: one line per worker thread, the one the console is in marked.
import { relative, sep } from 'node:path';
import type { WorkerSummary } from './targets.js';

/** A path as short as it stays clear: relative to the current directory when it lies below it. */
function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' ? rel : file;
}

/** How long ago `since` was, roughly (`42s`, `3m 5s`, `2h 10m`). */
export function ago(since: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

const MAX_DATA = 60;

/** The table `.workers` prints; `here` is the worker the console is in. */
export function formatWorkers(workers: WorkerSummary[], here: number | undefined, now = Date.now()): string {
  if (workers.length === 0) return 'The program runs no worker threads now.';
  const rows = workers.map((w) => {
    const since = w.since === undefined ? (w.answered ? '-' : 'busy (not answering)') : `${new Date(w.since).toTimeString().slice(0, 8)} (${ago(w.since, now)})`;
    const data = w.data === undefined ? '' : w.data.length > MAX_DATA ? `${w.data.slice(0, MAX_DATA - 1)}…` : w.data;
    return [`${w.threadId === here ? '*' : ' '} ${w.threadId}`, w.file ? shortPath(w.file) : '(code string)', since, data];
  });
  const header = ['  ID', 'FILE', 'SINCE', 'WORKERDATA'];
  const all = [header, ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  return `${lines.join('\n')}\n${here === undefined ? 'This console is in the main thread; ' : `* this console is in worker ${here}; `}.worker ID enters one, .worker main goes back.`;
}

/** A child Node.js process as `.children` lists it. */
export interface ChildProcessEntry {
  pid: number;
  command: string;
  inspector: string | undefined;
  clusterWorker: boolean;
}

/** The table `.children` prints for the children of `pid`. */
export function formatChildren(children: ChildProcessEntry[], pid: number): string {
  if (children.length === 0) return `pid ${pid} has no Node.js child processes now.`;
  const rows = [['PID', 'INSPECTOR', 'COMMAND'], ...children.map((c) => [String(c.pid), c.inspector ?? '-', `${c.clusterWorker ? '[cluster worker] ' : ''}${c.command}`])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map(([p, i, c]) => `${p!.padStart(widths[0]!)}  ${i!.padEnd(widths[1]!)}  ${c}`);
  return `${lines.join('\n')}\n.attach PID opens this console in one (.detach comes back).`;
}
