// The heap of the live program, through the HeapProfiler domain on the session's event connection:
// `.heap` (sampling heap profile: where memory is allocated, by function) and `.heapsnapshot` (the whole
// heap, streamed by anode into a new .heapsnapshot file that Chrome DevTools opens).
import type { Protocol } from 'devtools-protocol';
import type { EvalSession } from '../session/session.js';
import { ignored } from '../log/debug.js';
import { whereText } from './locations.js';
import { exclusiveRecording, RecordingFile, waitRecording } from './recording.js';
import { bold, bytes, columns, cyan, dim, type Style } from './table.js';

type SamplingProfile = Protocol.HeapProfiler.SamplingHeapProfile;

/** A bit over V8's default (32 KiB): fine enough for top sites, cheap for the program. */
const SAMPLING_INTERVAL = 32 * 1024;

/** Samples allocations for `seconds` (abort ends early). Objects collected meanwhile are counted too. */
export async function sampleHeap(
  session: EvalSession,
  options: { seconds: number; signal?: AbortSignal | undefined; progress?: ((elapsedMs: number, totalMs: number) => void) | undefined },
): Promise<{ profile: SamplingProfile; recordedMs: number }> {
  return exclusiveRecording(session, 'a heap sampling', async () => {
    const ch = session.eventChannel;
    await ch.send('HeapProfiler.enable');
    try {
      await ch.sendRaw('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      const totalMs = options.seconds * 1000;
      const recordedMs = await waitRecording(totalMs, {
        signal: options.signal,
        ended: session.endedSignal,
        progress: options.progress ? (e) => options.progress!(e, totalMs) : undefined,
      });
      const { profile } = await ch.send('HeapProfiler.stopSampling');
      return { profile, recordedMs };
    } finally {
      await ch.send('HeapProfiler.disable').catch((err: unknown) => ignored('HeapProfiler.disable', err));
    }
  });
}

/** Allocation sites by bytes sampled (self), most first. */
export function topAllocations(profile: SamplingProfile, cwd = ''): { rows: { name: string; where: string; bytes: number }[]; total: number } {
  const rows = new Map<string, { name: string; where: string; bytes: number }>();
  let total = 0;
  const walk = (n: Protocol.HeapProfiler.SamplingHeapProfileNode): void => {
    const stack: Protocol.HeapProfiler.SamplingHeapProfileNode[] = [n];
    while (stack.length > 0) {
      const node = stack.pop()!;
      stack.push(...node.children);
      if (node.selfSize <= 0) continue;
      total += node.selfSize;
      const cf = node.callFrame;
      const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
      const row = rows.get(key) ?? {
        name: cf.functionName || '(anonymous)',
        where: cf.url ? whereText({ url: cf.url, line: cf.lineNumber, column: cf.columnNumber }, cwd) : '',
        bytes: 0,
      };
      row.bytes += node.selfSize;
      rows.set(key, row);
    }
  };
  walk(profile.head);
  return { rows: [...rows.values()].sort((a, b) => b.bytes - a.bytes), total };
}

export function heapText(profile: SamplingProfile, recordedMs: number, style: Style, cwd = '', top = 15): string {
  const { rows, total } = topAllocations(profile, cwd);
  const lines = [
    bold(`Top allocation sites over ${(recordedMs / 1000).toFixed(1)} s (sampled, ${bytes(total)} in all)`, style),
    ...columns(
      [
        [dim('bytes', style), dim('%', style), dim('function', style), dim('defined at', style)],
        ...rows.slice(0, top).map((r) => [bytes(r.bytes), total ? `${((r.bytes / total) * 100).toFixed(1)}%` : '-', r.name, cyan(r.where, style)]),
      ],
      [0, 1],
    ),
  ];
  if (rows.length === 0) lines.push(dim('  (no allocations sampled)', style));
  return `${lines.join('\n')}\n`;
}

/**
 * Takes a heap snapshot, handing its JSON to `onChunk` piece by piece as V8 sends it, reporting progress
 * (done of total objects); resolves with its size in bytes. The program is paused while V8 walks its heap.
 */
export async function takeHeapSnapshot(
  session: EvalSession,
  onChunk: (chunk: string) => void,
  progress?: (done: number, total: number) => void,
): Promise<number> {
  return exclusiveRecording(session, 'a heap snapshot', async () => {
    const ch = session.eventChannel;
    let size = 0;
    const offChunk = ch.onRaw('HeapProfiler.addHeapSnapshotChunk', (p) => {
      const chunk = (p as { chunk: string }).chunk;
      size += Buffer.byteLength(chunk);
      onChunk(chunk);
    });
    const offProgress = ch.onRaw('HeapProfiler.reportHeapSnapshotProgress', (p) => {
      const { done, total } = p as { done: number; total: number };
      progress?.(done, total);
    });
    try {
      await ch.send('HeapProfiler.enable');
      await ch.sendRaw('HeapProfiler.takeHeapSnapshot', { reportProgress: true });
      return size;
    } finally {
      offChunk();
      offProgress();
      await ch.send('HeapProfiler.disable').catch((err: unknown) => ignored('HeapProfiler.disable', err));
    }
  });
}

/** Takes a heap snapshot into a new `file` (refused if it exists; removed again if the snapshot fails). */
export async function writeHeapSnapshot(
  session: EvalSession,
  file: string,
  progress?: (done: number, total: number) => void,
): Promise<number> {
  const out = await RecordingFile.create(file);
  try {
    await takeHeapSnapshot(session, (chunk) => out.write(chunk), progress);
  } catch (err) {
    await out.discard();
    throw err;
  }
  return out.finish();
}
