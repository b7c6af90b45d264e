// One-shot looks into a running program: `anode loop`, `anode profile`, `anode heapsnapshot`. Each attaches
// (PID | HOST:PORT | ws://), does its one thing over the inspector, writes what it found (files are
// written here, by anode, wherever the program runs), and detaches; the program keeps running.
import { Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { recordCpuProfile, profileText, writeProfile } from '../loop/cpu-profile.js';
import { writeHeapSnapshot } from '../loop/heap.js';
import { loopText } from '../loop/loop-text.js';
import { defaultFile } from '../loop/recording.js';
import { DEFAULT_SAMPLE_MS, loopReport } from '../loop/snapshot.js';
import { bytes } from '../loop/table.js';
import { targetCwd } from '../loop/locations.js';
import type { EvalSession } from '../session/session.js';
import { connect, detach } from './attachment.js';
import { say } from './say.js';

const TARGET_HELP = 'a pid (see `anode ps`), HOST:PORT of an inspector, or its ws:// URL';
const ATTACH_TIMEOUT_MS = 5000;

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${text}'`);
  return n;
}

function wholeMs(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected milliseconds (0 or more), got '${text}'`);
  return n;
}

/** Attaches, runs `task` with an abort signal (SIGINT/SIGTERM), detaches whatever happens. */
async function withTarget(target: string, task: (session: EvalSession, signal: AbortSignal) => Promise<number>): Promise<number> {
  const attached = await connect(target, ATTACH_TIMEOUT_MS);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await task(attached.session, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await detach(attached);
  }
}

const colorOf = (flag: boolean | undefined): boolean => flag ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);

/** Progress on stderr: one rewritten line on a terminal, nothing when piped. */
function progressLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}
function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

export function loopCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('loop')
    .description("what a running program's event loop holds now: servers, sockets, timers, requests, children, workers, files, delay")
    .argument('<target>', TARGET_HELP)
    .option('--json', 'print the report as JSON')
    .option('--all', 'every row, not a bounded summary')
    .option('--deep', "also search the heap for unref'd sockets and servers and worker threads (a full GC in the program)")
    .option('--sample <ms>', 'milliseconds of event-loop delay sampling (0: none)', wholeMs, DEFAULT_SAMPLE_MS)
    .option('--color', 'colour the report')
    .option('--no-color', 'never colour')
    .helpOption('-h, --help', 'show this help');
  return cmd.action(async (target: string) => {
    const flags = cmd.opts<{ json?: boolean; all?: boolean; deep?: boolean; sample: number; color?: boolean }>();
    setExitCode(
      await withTarget(target, async (session, signal) => {
        const report = await loopReport(session, { all: flags.all === true, deep: flags.deep === true, sampleMs: flags.sample, signal });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : loopText(report, { colors: colorOf(flags.color) }));
        return 0;
      }),
    );
  });
}

export function profileCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('profile')
    .description('record a CPU profile of a running program into a .cpuprofile file (Chrome DevTools, speedscope) and print its top functions')
    .argument('<target>', TARGET_HELP)
    .option('--seconds <n>', 'how long to record (Ctrl-C ends early)', positiveNumber, 5)
    .option('-o, --output <file>', 'the file to write (never overwritten); default anode-PID-TIME.cpuprofile')
    .option('--color', 'colour the table')
    .option('--no-color', 'never colour')
    .helpOption('-h, --help', 'show this help');
  return cmd.action(async (target: string) => {
    const flags = cmd.opts<{ seconds: number; output?: string; color?: boolean }>();
    setExitCode(
      await withTarget(target, async (session, signal) => {
        const file = flags.output ?? defaultFile(session.info.pid, 'cpuprofile');
        say(`recording a CPU profile of pid ${session.info.pid} for ${flags.seconds} s (Ctrl-C ends early)`);
        const { profile, recordedMs } = await recordCpuProfile(session, {
          seconds: flags.seconds,
          signal,
          progress: (e, total) => progressLine(`anode: recording ${(e / 1000).toFixed(1)} s of ${(total / 1000).toFixed(0)} s`),
        });
        progressDone();
        const size = await writeProfile(file, profile);
        process.stdout.write(profileText(profile, { colors: colorOf(flags.color) }, { cwd: await targetCwd(session) }));
        say(`wrote ${file} (${bytes(size)}, ${(recordedMs / 1000).toFixed(1)} s): open it in Chrome DevTools (Performance) or speedscope`);
        return 0;
      }),
    );
  });
}

export function heapSnapshotCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('heapsnapshot')
    .description('write a heap snapshot of a running program into a .heapsnapshot file (Chrome DevTools, Memory); the program pauses meanwhile')
    .argument('<target>', TARGET_HELP)
    .option('-o, --output <file>', 'the file to write (never overwritten); default anode-PID-TIME.heapsnapshot')
    .helpOption('-h, --help', 'show this help');
  return cmd.action(async (target: string) => {
    const flags = cmd.opts<{ output?: string }>();
    if (flags.output === '') throw new UsageError('--output wants a file name');
    setExitCode(
      await withTarget(target, async (session) => {
        const file = flags.output ?? defaultFile(session.info.pid, 'heapsnapshot');
        say(`taking a heap snapshot of pid ${session.info.pid}: the program is paused until it is taken (seconds for a large heap)`);
        const size = await writeHeapSnapshot(session, file, (done, total) =>
          progressLine(`anode: heap snapshot ${total ? Math.floor((done / total) * 100) : 0}% (${done} of ${total} objects)`),
        );
        progressDone();
        say(`wrote ${file} (${bytes(size)}): open it in Chrome DevTools (Memory, Load)`);
        return 0;
      }),
    );
  });
}
