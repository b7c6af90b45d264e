// The server half of `inspect`: runs a loop command (`.loop`, `.profile`, `.heap`, `.heapsnapshot`) on the
// served program for an `anode connect` client, and hands back what the client prints and writes: progress
// lines, the recorded file in chunks (the client writes it, in its own directory), then the text. Nothing
// is written on the server. Aborting `signal` (the client's interrupt, or the client gone) ends a
// recording early; a snapshot cannot be stopped inside V8, so its remaining chunks are dropped instead.
import { profileText, recordCpuProfile } from '../loop/cpu-profile.js';
import { heapText, sampleHeap, takeHeapSnapshot } from '../loop/heap.js';
import { targetCwd } from '../loop/locations.js';
import { loopText } from '../loop/loop-text.js';
import { DEFAULT_SAMPLE_MS, loopReport } from '../loop/snapshot.js';
import {
  DEFAULT_HEAP_SECONDS,
  DEFAULT_PROFILE_SECONDS,
  HEAP_USAGE,
  LOOP_USAGE,
  PROFILE_USAGE,
  loopWords,
  recordingProgress,
  seconds,
  snapshotPercent,
  snapshotProgress,
} from '../console/loop-command-kit.js';
import type { Inspection } from '../console/types.js';
import type { InspectRequest } from './protocol.js';

/** The pieces a recorded file is sent in (well under the server's and the client's line limits once escaped). */
export const CHUNK_CHARS = 256 * 1024;

export interface InspectReplies {
  signal: AbortSignal;
  /** The recording starts in process `pid`. */
  started(pid: number): void;
  progress(text: string): void;
  chunk(data: string): void;
}

/** Runs `request` on `inspection`'s session; resolves with the text for the client (and how long it recorded). */
export async function runInspect(inspection: Inspection, request: InspectRequest, replies: InspectReplies): Promise<{ text: string; ms?: number }> {
  const { session, colors } = inspection;
  const { signal } = replies;
  switch (request.command) {
    case 'loop': {
      const words = loopWords(request.arg);
      if (!words) return { text: LOOP_USAGE };
      const report = await loopReport(session, { all: words.all, deep: words.deep, sampleMs: DEFAULT_SAMPLE_MS, signal });
      return { text: words.json ? `${JSON.stringify(report, null, 2)}\n` : loopText(report, { colors }) };
    }
    case 'profile': {
      const secs = seconds(request.arg.trim() || undefined, DEFAULT_PROFILE_SECONDS);
      if (secs === undefined) return { text: PROFILE_USAGE };
      replies.started(session.info.pid);
      const recorded = await recordCpuProfile(session, {
        seconds: secs,
        signal,
        progress: (e, total) => replies.progress(recordingProgress('recording', e, total)),
      });
      for (const piece of pieces(JSON.stringify(recorded.profile))) replies.chunk(piece);
      return { text: profileText(recorded.profile, { colors }, { cwd: await targetCwd(session) }), ms: Math.round(recorded.recordedMs) };
    }
    case 'heap': {
      const secs = seconds(request.arg.trim() || undefined, DEFAULT_HEAP_SECONDS);
      if (secs === undefined) return { text: HEAP_USAGE };
      const sampled = await sampleHeap(session, {
        seconds: secs,
        signal,
        progress: (e, total) => replies.progress(recordingProgress('sampling', e, total)),
      });
      return { text: heapText(sampled.profile, sampled.recordedMs, { colors }, await targetCwd(session)), ms: Math.round(sampled.recordedMs) };
    }
    case 'heapsnapshot': {
      replies.started(session.info.pid);
      // V8 reports progress for every few thousand objects: the client hears of each new percent.
      let shown = -1;
      await takeHeapSnapshot(
        session,
        (chunk) => {
          if (!signal.aborted) for (const piece of pieces(chunk)) replies.chunk(piece);
        },
        (done, total) => {
          const percent = snapshotPercent(done, total);
          if (percent === shown || signal.aborted) return;
          shown = percent;
          replies.progress(snapshotProgress(done, total));
        },
      );
      return { text: '' };
    }
  }
}

/** `text` in pieces of at most CHUNK_CHARS, never between the two halves of a surrogate pair. */
export function* pieces(text: string): Generator<string> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + CHUNK_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(at, end);
    at = end;
  }
}
