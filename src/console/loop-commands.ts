// The dot-commands that look inside the live program: `.loop`, `.profile`, `.heap`, `.heapsnapshot`.
// They run wherever the console engine has the inspector session (the terminal, or the server for plain
// served clients), over the session's own inspector connection; files are written by anode, in its working
// directory by default. An `anode connect` console has the served console run them (remote-loop-commands.ts).
import { resolve } from 'node:path';
import { isAnodeError, isTargetClosed } from '../errors.js';
import { profileText, recordCpuProfile, writeProfile } from '../loop/cpu-profile.js';
import { heapText, sampleHeap, writeHeapSnapshot } from '../loop/heap.js';
import { loopText } from '../loop/loop-text.js';
import { defaultFile, ensureAbsent } from '../loop/recording.js';
import { DEFAULT_SAMPLE_MS, loopReport } from '../loop/snapshot.js';
import { targetCwd } from '../loop/locations.js';
import type { CommandContext } from './commands.js';
import {
  DEFAULT_HEAP_SECONDS,
  HEAP_USAGE,
  LOOP_USAGE,
  PROFILE_USAGE,
  SNAPSHOT_NOTICE,
  heapNotice,
  loopWords,
  profileArgs,
  profileNotice,
  progressLine,
  recordingProgress,
  seconds,
  snapshotProgress,
  wroteProfile,
  wroteSnapshot,
} from './loop-command-kit.js';
import { REMOTE_LOOP_COMMANDS } from './remote-loop-commands.js';
import type { InspectCommand, Inspection } from './types.js';

type Run = (arg: string, ctx: CommandContext, target: Inspection) => Promise<void>;

/**
 * Wraps a command: run here on the session, or by the served console (`anode connect` to a server that
 * can), or not at all (an older server); failures said in one line.
 */
function inspecting(name: InspectCommand, run: Run): (arg: string, ctx: CommandContext) => Promise<void> {
  return async (arg, ctx) => {
    const target = ctx.inspection();
    const remote = target ? undefined : ctx.remoteInspection?.();
    if (!target && !remote) return ctx.write(`.${name} is not available in this console (it needs the inspector session: run it where the console is served, or attach directly)\n`);
    try {
      await (target ? run(arg, ctx, target) : REMOTE_LOOP_COMMANDS[name](arg, ctx, remote!));
    } catch (err) {
      if (isTargetClosed(err)) throw err;
      ctx.write(`anode: .${name}: ${isAnodeError(err) ? err.message : (err as Error).message}\n`);
    }
  };
}

const loop: Run = async (arg, ctx, { session, colors }) => {
  const words = loopWords(arg);
  if (!words) return ctx.write(LOOP_USAGE);
  const run = ctx.interruptible();
  try {
    const report = await loopReport(session, { all: words.all, deep: words.deep, sampleMs: DEFAULT_SAMPLE_MS, signal: run.signal });
    ctx.write(words.json ? `${JSON.stringify(report, null, 2)}\n` : loopText(report, { colors }));
  } finally {
    run.done();
  }
};

const profile: Run = async (arg, ctx, { session, colors }) => {
  const args = profileArgs(arg);
  if (!args) return ctx.write(PROFILE_USAGE);
  const file = resolve(args.file ?? defaultFile(session.info.pid, 'cpuprofile'));
  await ensureAbsent(file);
  ctx.write(profileNotice(args.seconds, ctx.terminal));
  const bar = progressLine(ctx);
  const run = ctx.interruptible();
  let recorded;
  try {
    recorded = await recordCpuProfile(session, {
      seconds: args.seconds,
      signal: run.signal,
      progress: (e, total) => bar.show(recordingProgress('recording', e, total)),
    });
  } finally {
    run.done();
    bar.clear();
  }
  const size = await writeProfile(file, recorded.profile);
  ctx.write(profileText(recorded.profile, { colors }, { cwd: await targetCwd(session) }));
  ctx.write(wroteProfile(file, size, recorded.recordedMs));
};

const heap: Run = async (arg, ctx, { session, colors }) => {
  const secs = seconds(arg.trim() || undefined, DEFAULT_HEAP_SECONDS);
  if (secs === undefined) return ctx.write(HEAP_USAGE);
  ctx.write(heapNotice(secs, ctx.terminal));
  const bar = progressLine(ctx);
  const run = ctx.interruptible();
  let sampled;
  try {
    sampled = await sampleHeap(session, {
      seconds: secs,
      signal: run.signal,
      progress: (e, total) => bar.show(recordingProgress('sampling', e, total)),
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
  ctx.write(SNAPSHOT_NOTICE);
  const bar = progressLine(ctx);
  let size: number;
  try {
    size = await writeHeapSnapshot(session, file, (done, total) => bar.show(snapshotProgress(done, total)));
  } finally {
    bar.clear();
  }
  ctx.write(wroteSnapshot(file, size));
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
