// The loop commands of an `anode connect` console: the served console runs them on its program and sends
// back what to print, its progress, and the recorded file in pieces, which are written HERE (the client's
// working directory by default), never on the server. The same arguments, notices and files as locally.
import { resolve } from 'node:path';
import { defaultFile, ensureAbsent, RecordingFile } from '../loop/recording.js';
import { RemoteInspectError } from '../errors.js';
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
  seconds,
  wroteProfile,
  wroteSnapshot,
} from './loop-command-kit.js';
import type { InspectCommand, RemoteInspection } from './types.js';

type RemoteRun = (arg: string, ctx: CommandContext, remote: RemoteInspection) => Promise<void>;

/**
 * Runs `command` remotely with progress on the terminal; Ctrl-C ends it early when `interruptible`. With
 * `ext`, the recording is written to `file` (or a default name with the program's pid) as it arrives.
 */
async function remotely(
  ctx: CommandContext,
  remote: RemoteInspection,
  command: InspectCommand,
  arg: string,
  options: { interruptible: boolean; ext?: string; file?: string | undefined },
): Promise<{ text: string; ms?: number | undefined; file?: string; size?: number }> {
  const bar = progressLine(ctx);
  // Aborted by Ctrl-C, or here when the file cannot be created (the server then stops).
  const stop = new AbortController();
  const run = options.interruptible ? ctx.interruptible() : undefined;
  run?.signal.addEventListener('abort', () => stop.abort(), { once: true });
  let file = options.file;
  // Created with the first piece (a client that dies while the program records leaves no empty file).
  let opening: Promise<RecordingFile | undefined> | undefined;
  let openFailed: unknown;
  let reply: { text: string; ms?: number | undefined };
  try {
    reply = await remote.run(command, arg, {
      signal: stop.signal,
      started: (pid) => {
        if (options.ext !== undefined) file ??= resolve(defaultFile(pid, options.ext));
      },
      chunk: (data) => {
        if (file === undefined) return;
        opening ??= RecordingFile.create(file).catch((err: unknown) => {
          openFailed = err;
          stop.abort();
          return undefined;
        });
        void opening.then((out) => out?.write(data));
      },
      progress: (text) => bar.show(text),
    });
  } catch (err) {
    await (await opening)?.discard();
    throw err;
  } finally {
    run?.done();
    bar.clear();
  }
  if (options.ext === undefined) return reply;
  const out = await opening;
  if (openFailed !== undefined) throw openFailed;
  if (!out) throw new RemoteInspectError('the served console sent no recording');
  return { ...reply, file: out.path, size: await out.finish() };
}

const loop: RemoteRun = async (arg, ctx, remote) => {
  if (!loopWords(arg)) return ctx.write(LOOP_USAGE);
  ctx.write((await remotely(ctx, remote, 'loop', arg, { interruptible: true })).text);
};

const profile: RemoteRun = async (arg, ctx, remote) => {
  const args = profileArgs(arg);
  if (!args) return ctx.write(PROFILE_USAGE);
  const file = args.file === undefined ? undefined : resolve(args.file);
  if (file !== undefined) await ensureAbsent(file);
  ctx.write(profileNotice(args.seconds, ctx.terminal));
  const r = await remotely(ctx, remote, 'profile', String(args.seconds), { interruptible: true, ext: 'cpuprofile', file });
  ctx.write(r.text);
  ctx.write(wroteProfile(r.file!, r.size!, r.ms ?? 0));
};

const heap: RemoteRun = async (arg, ctx, remote) => {
  const secs = seconds(arg.trim() || undefined, DEFAULT_HEAP_SECONDS);
  if (secs === undefined) return ctx.write(HEAP_USAGE);
  ctx.write(heapNotice(secs, ctx.terminal));
  ctx.write((await remotely(ctx, remote, 'heap', String(secs), { interruptible: true })).text);
};

const heapSnapshot: RemoteRun = async (arg, ctx, remote) => {
  const file = arg.trim() ? resolve(arg.trim()) : undefined;
  if (file !== undefined) await ensureAbsent(file);
  ctx.write(SNAPSHOT_NOTICE);
  const r = await remotely(ctx, remote, 'heapsnapshot', '', { interruptible: false, ext: 'heapsnapshot', file });
  ctx.write(wroteSnapshot(r.file!, r.size!));
};

export const REMOTE_LOOP_COMMANDS: Record<InspectCommand, RemoteRun> = { loop, profile, heap, heapsnapshot: heapSnapshot };
