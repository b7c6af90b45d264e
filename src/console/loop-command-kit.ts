// What the loop commands take and say, the same where they run on the session here and where a served
// console runs them for `anode connect`: their arguments, usage lines, notices, progress and "Wrote" lines.
import { bytes } from '../loop/table.js';

export const DEFAULT_PROFILE_SECONDS = 5;
export const DEFAULT_HEAP_SECONDS = 5;

export const LOOP_USAGE = 'usage: .loop [all] [deep] [json]\n';
export const PROFILE_USAGE = 'usage: .profile [SECONDS] [FILE]\n';
export const HEAP_USAGE = 'usage: .heap [SECONDS]\n';

/** `.loop`'s words; undefined for any other word. */
export function loopWords(arg: string): { all: boolean; deep: boolean; json: boolean } | undefined {
  const words = arg.split(/\s+/).filter(Boolean);
  if (words.some((w) => w !== 'all' && w !== 'json' && w !== 'deep')) return undefined;
  return { all: words.includes('all'), deep: words.includes('deep'), json: words.includes('json') };
}

/** Seconds to record (0 < n <= 3600); `fallback` when not given, undefined when not a number of seconds. */
export function seconds(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && n <= 3600 ? n : undefined;
}

/** `.profile [SECONDS] [FILE]`: a first word that looks like a number is the seconds; undefined: a usage mistake. */
export function profileArgs(arg: string): { seconds: number; file: string | undefined } | undefined {
  const [first, second] = arg.split(/\s+/).filter(Boolean);
  const numeric = first !== undefined && /^[-+]?(\d+\.?\d*|\.\d+)$/.test(first);
  const secs = seconds(numeric ? first : undefined, DEFAULT_PROFILE_SECONDS);
  return secs === undefined ? undefined : { seconds: secs, file: numeric ? second : first };
}

export function profileNotice(secs: number, terminal: boolean): string {
  return `Recording a CPU profile for ${secs} s${terminal ? ' (Ctrl-C ends early)' : ''}...\n`;
}

export function heapNotice(secs: number, terminal: boolean): string {
  return `Sampling allocations for ${secs} s${terminal ? ' (Ctrl-C ends early)' : ''}...\n`;
}

export const SNAPSHOT_NOTICE = 'Taking a heap snapshot: the program is paused until it is taken (seconds for a large heap)...\n';

export function recordingProgress(verb: 'recording' | 'sampling', elapsedMs: number, totalMs: number): string {
  return `${verb} ${(elapsedMs / 1000).toFixed(1)} s of ${(totalMs / 1000).toFixed(0)} s`;
}

export function snapshotPercent(done: number, total: number): number {
  return total ? Math.floor((done / total) * 100) : 0;
}

export function snapshotProgress(done: number, total: number): string {
  return `heap snapshot ${snapshotPercent(done, total)}% (${done} of ${total} objects)`;
}

export function wroteProfile(file: string, size: number, recordedMs: number): string {
  return `Wrote ${file} (${bytes(size)}, ${(recordedMs / 1000).toFixed(1)} s): open it in Chrome DevTools or speedscope.\n`;
}

export function wroteSnapshot(file: string, size: number): string {
  return `Wrote ${file} (${bytes(size)}): open it in Chrome DevTools (Memory, Load).\n`;
}

/** Progress on one rewritten line in a terminal; nothing elsewhere (a plain stream keeps clean lines). */
export function progressLine(console: { terminal: boolean; write(text: string): void }): { show(text: string): void; clear(): void } {
  let shown = false;
  return {
    show: (text) => {
      if (!console.terminal) return;
      shown = true;
      console.write(`\r\x1b[K${text}`);
    },
    clear: () => {
      if (shown) console.write('\r\x1b[K');
    },
  };
}
