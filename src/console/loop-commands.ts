// The dot-commands that look inside the live program: `.loop`, `.profile`, `.heap`, `.heapsnapshot`.
// They run wherever the console engine runs (the terminal, or the server for served clients), over the
// session's own inspector connection; files are written by anode, in its working directory by default.
import { resolve } from 'node:path';
import { isAnodeError, isTargetClosed } from '../errors.js';
import { profileText, recordCpuProfile, writeProfile } from '../loop/cpu-profile.js';
import { heapText, sampleHeap, writeHeapSnapshot } from '../loop/heap.js';
import { loopText } from '../loop/loop-text.js';
import { defaultFile, ensureAbsent } from '../loop/recording.js';
import { DEFAULT_SAMPLE_MS, loopReport } from '../loop/snapshot.js';
import { bytes } from '../loop/table.js';
import { targetCwd } from '../loop/locations.js';
import type { CommandContext } from './commands.js';
import type { Inspection } from './types.js';


type Run = (arg: string, ctx: CommandContext, target: Inspection) => Promise<void>;

const DEFAULT_PROFILE_SECONDS = 5;
const DEFAULT_HEAP_SECONDS = 5;

/** Wraps a command: no session (an `anode connect` client), and failures said in one line. */
function inspecting(name: string, run: Run): (arg: string, ctx: CommandContext) => Promise<void> {
  return async (arg, ctx) => {
    const target = ctx.inspection();
    if (!target) return ctx.write(`.${name} is not available in this console (it needs the inspector session: run it where the console is served, or attach directly)\n`);
    try {
      await run(arg, ctx, target);
    } catch (err) {
      if (isTargetClosed(err)) throw err;
      ctx.write(`anode: .${name}: ${isAnodeError(err) ? err.message : (err as Error).message}\n`);
    }
  };
}

/** Progress on one rewritten line in a terminal; nothing elsewhere (a plain stream keeps clean lines). */
function progress(ctx: CommandContext): { show(text: string): void; clear(): void } {
  let shown = false;
  return {
    show: (text) => {
      if (!ctx.terminal) return;
      shown = true;
      ctx.write(`\r\x1b[K${text}`);
    },
    clear: () => {
      if (shown) ctx.write('\r\x1b[K');
    },
  };
}

function seconds(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && n <= 3600 ? n : undefined;
}


const loop: Run = async (arg, ctx, { session, colors }) => {
  const words = arg.split(/\s+/).filter(Boolean);
  const unknown = words.filter((w) => w !== 'all' && w !== 'json' && w !== 'deep');
  if (unknown.length > 0) return ctx.write('usage: .loop [all] [deep] [json]\n');
  const run = ctx.interruptible();
  try {
    const report = await loopReport(session, { all: words.includes('all'), deep: words.includes('deep'), sampleMs: DEFAULT_SAMPLE_MS, signal: run.signal });
    ctx.write(words.includes('json') ? `${JSON.stringify(report, null, 2)}\n` : loopText(report, { colors }));
  } finally {
    run.done();
  }
};

const profile: Run = async (arg, ctx, { session, colors }) => {
  const [first, second] = arg.split(/\s+/).filter(Boolean);
  const numeric = first !== undefined && /^[-+]?(\d+\.?\d*|\.\d+)$/.test(first);
  const secs = seconds(numeric ? first : undefined, DEFAULT_PROFILE_SECONDS);
  if (secs === undefined) return ctx.write('usage: .profile [SECONDS] [FILE]\n');
  const file = resolve((numeric ? second : first) ?? defaultFile(session.info.pid, 'cpuprofile'));
  await ensureAbsent(file);
  ctx.write(`Recording a CPU profile for ${secs} s${ctx.terminal ? ' (Ctrl-C ends early)' : ''}...\n`);
  const bar = progress(ctx);
  const run = ctx.interruptible();
  let recorded;
  try {
    recorded = await recordCpuProfile(session, {
      seconds: secs,
      signal: run.signal,
      progress: (e, total) => bar.show(`recording ${(e / 1000).toFixed(1)} s of ${(total / 1000).toFixed(0)} s`),
    });
  } finally {
    run.done();
    bar.clear();
  }
  const size = await writeProfile(file, recorded.profile);
  ctx.write(profileText(recorded.profile, { colors }, { cwd: await targetCwd(session) }));
  ctx.write(`Wrote ${file} (${bytes(size)}, ${(recorded.recordedMs / 1000).toFixed(1)} s): open it in Chrome DevTools or speedscope.\n`);
};

const heap: Run = async (arg, ctx, { session, colors }) => {
  const secs = seconds(arg.trim() || undefined, DEFAULT_HEAP_SECONDS);
  if (secs === undefined) return ctx.write('usage: .heap [SECONDS]\n');
  ctx.write(`Sampling allocations for ${secs} s${ctx.terminal ? ' (Ctrl-C ends early)' : ''}...\n`);
  const bar = progress(ctx);
  const run = ctx.interruptible();
  let sampled;
  try {
    sampled = await sampleHeap(session, {
      seconds: secs,
      signal: run.signal,
      progress: (e, total) => bar.show(`sampling ${(e / 1000).toFixed(1)} s of ${(total / 1000).toFixed(0)} s`),
    });
  } finally {
    run.done();
    bar.clear();
  }
  ctx.write(heapText(sampled.profile, sampled.recordedMs, { colors }, await targetCwd(session)));
};

const heapSnapshot: Run = async (arg, ctx, { session }) => {
  const file = resolve(arg.trim() || defaultFile(session.info.pid, 'heapsnapshot'));
  await ensureAbsent(file);
  ctx.write('Taking a heap snapshot: the program is paused until it is taken (seconds for a large heap)...\n');
  const bar = progress(ctx);
  let size: number;
  try {
    size = await writeHeapSnapshot(session, file, (done, total) =>
      bar.show(`heap snapshot ${total ? Math.floor((done / total) * 100) : 0}% (${done} of ${total} objects)`),
    );
  } finally {
    bar.clear();
  }
  ctx.write(`Wrote ${file} (${bytes(size)}): open it in Chrome DevTools (Memory, Load).\n`);
};

/** The commands, as commands.ts lists them. */
export const LOOP_COMMANDS = {
  loop: {
    help: "What the program's event loop holds now (servers, sockets, timers, ...), and its delay: .loop [all] [deep] [json]",
    run: inspecting('loop', loop),
  },
  profile: {
    help: 'Record a CPU profile (.cpuprofile) and show the top functions: .profile [SECONDS] [FILE]',
    run: inspecting('profile', profile),
  },
  heap: {
    help: 'Sample allocations and show the top allocation sites: .heap [SECONDS]',
    run: inspecting('heap', heap),
  },
  heapsnapshot: {
    help: 'Write a heap snapshot (pauses the program while it is taken): .heapsnapshot [FILE]',
    run: inspecting('heapsnapshot', heapSnapshot),
  },
};
