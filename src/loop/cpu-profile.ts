// `.profile [SECONDS]` / `anode profile`: a CPU profile of the live program (the Profiler domain, on the
// session's event connection), written by anode as a .cpuprofile that Chrome DevTools and speedscope open,
// and summarized as the top functions by self and total time.
import type { Protocol } from 'devtools-protocol';
import type { EvalSession } from '../session/session.js';
import { ignored } from '../log/debug.js';
import { createNew, exclusiveRecording, waitRecording } from './recording.js';
import { bold, columns, cyan, dim, duration, type Style } from './table.js';
import { whereText } from './locations.js';

type Profile = Protocol.Profiler.Profile;

export interface ProfileOptions {
  seconds: number;
  signal?: AbortSignal | undefined;
  /** Called about four times a second while recording. */
  progress?: ((elapsedMs: number, totalMs: number) => void) | undefined;
  /** Microseconds between samples (V8's default is 1000). */
  intervalUs?: number;
}

/** Records for `seconds` (an abort ends it early, keeping what was recorded). */
export async function recordCpuProfile(session: EvalSession, options: ProfileOptions): Promise<{ profile: Profile; recordedMs: number }> {
  return exclusiveRecording(session, 'a CPU profile', async () => {
    const ch = session.eventChannel;
    await ch.send('Profiler.enable');
    try {
      await ch.send('Profiler.setSamplingInterval', { interval: options.intervalUs ?? 1000 });
      await ch.send('Profiler.start');
      const totalMs = options.seconds * 1000;
      const recordedMs = await waitRecording(totalMs, {
        signal: options.signal,
        ended: session.endedSignal,
        progress: options.progress ? (elapsed) => options.progress!(elapsed, totalMs) : undefined,
      });
      const { profile } = await ch.send('Profiler.stop');
      return { profile, recordedMs };
    } finally {
      await ch.send('Profiler.disable').catch((err: unknown) => ignored('Profiler.disable', err));
    }
  });
}

/** Writes the profile as JSON to a new file (refuses an existing one). */
export async function writeProfile(file: string, data: unknown): Promise<number> {
  const handle = await createNew(file);
  try {
    const text = JSON.stringify(data);
    await handle.writeFile(text);
    return Buffer.byteLength(text);
  } finally {
    await handle.close();
  }
}

/** One function's share of the profile. */
export interface FunctionTime {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

/** Self and total time per function (recursion counted once per stack), most self time first. */
export function topFunctions(profile: Profile, cwd = ''): { rows: FunctionTime[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => {
    // Each sample lasts until the next one; the last gets the one before it.
    const next = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, next));
  });
  const keyOf = (n: Protocol.Profiler.ProfileNode): string =>
    `${n.callFrame.functionName}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}\u0000${n.callFrame.columnNumber}`;
  const rows = new Map<string, FunctionTime>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const node = byId.get(id);
    if (!node) continue;
    // Self time to this node's function; total time to every distinct function on its stack.
    const seen = new Set<string>();
    for (let n: Protocol.Profiler.ProfileNode | undefined = node, first = true; n; n = byId.get(parent.get(n.id) ?? -1), first = false) {
      const key = keyOf(n);
      let row = rows.get(key);
      if (!row) {
        const cf = n.callFrame;
        row = {
          name: cf.functionName || '(anonymous)',
          where: cf.url ? whereText({ url: cf.url, line: cf.lineNumber, column: cf.columnNumber }, cwd) : '',
          selfMs: 0,
          totalMs: 0,
        };
        rows.set(key, row);
      }
      if (first) row.selfMs += us / 1000;
      if (!seen.has(key)) row.totalMs += us / 1000;
      seen.add(key);
    }
  }
  rows.delete(keyOf(profile.nodes[0]!));
  const sorted = [...rows.values()].filter((r) => r.name !== '(root)').sort((a, b) => b.selfMs - a.selfMs);
  return { rows: sorted, totalMs: totalUs / 1000 };
}

/** The top-functions table. */
export function profileText(profile: Profile, style: Style, options: { cwd?: string; top?: number } = {}): string {
  const { rows, totalMs } = topFunctions(profile, options.cwd);
  const top = rows.slice(0, options.top ?? 15);
  const pct = (ms: number): string => (totalMs > 0 ? `${((ms / totalMs) * 100).toFixed(1)}%` : '-');
  const lines = [
    bold(`Top functions by self time (of ${duration(totalMs)} sampled)`, style),
    ...columns(
      [
        [dim('self', style), dim('%', style), dim('total', style), dim('%', style), dim('function', style), dim('defined at', style)],
        ...top.map((r) => [ms(r.selfMs), pct(r.selfMs), ms(r.totalMs), pct(r.totalMs), r.name, cyan(r.where, style)]),
      ],
      [0, 1, 2, 3],
    ),
  ];
  if (top.length === 0) lines.push(dim('  (no samples)', style));
  return `${lines.join('\n')}\n`;
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
}
