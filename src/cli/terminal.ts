// The terminal front end: the console engine on stdin (in) and stderr (out), with persistent history,
// preview and colouring as the flags say, and the signals a terminal user sends (Ctrl-Z included). Used by
// `run`/`attach` (hold.ts) and `connect`. With a terminal on stdin but stderr redirected (`2> err.log`),
// the console talks to the terminal itself (/dev/tty), as less, ssh and git do.
import fs from 'node:fs';
import tty from 'node:tty';
import type { Writable } from 'node:stream';
import { chalkStderr } from 'chalk';
import { ignored } from '../log/debug.js';
import { sayOn } from './say.js';
import type { ConsoleEnd, LineEvaluator } from '../console/types.js';
import { ConsoleEngine } from '../console/engine.js';
import { HistoryFile, historyPath } from '../console/history.js';

export interface ConsoleFlags {
  banner?: string;
  prompt?: string;
  readline: boolean;
  color: boolean;
  /** Syntax colouring of the line being typed (`--highlight`, colour terminals only). */
  highlight?: boolean;
  /** The eager preview of results while typing (`--no-preview` turns it off). */
  preview?: boolean;
  /** Mirror the program's console.* output into the console. */
  console?: boolean;
  /** Open the console in this worker thread (`--worker ID`) instead of the main thread. */
  worker?: number;
}

/**
 * Whether the console colours its output: a colour terminal (Node's hasColors() honours NO_COLOR and
 * FORCE_COLOR), unless --no-color. anode's own notices follow the same choice.
 */
export function useColor(flags: Pick<ConsoleFlags, 'color'>): boolean {
  const out = consoleOutput();
  const colors = flags.color && out.isTTY === true && out.hasColors?.() === true;
  if (!colors) chalkStderr.level = 0;
  return colors;
}

let chosen: (Writable & Partial<Pick<tty.WriteStream, 'isTTY' | 'hasColors' | 'columns'>>) | undefined;

/**
 * Where the console writes: stderr, or the terminal itself when stdin is one and stderr is not (a
 * redirect of stderr, usually the program's, to a file). anode's own notices follow it there.
 */
export function consoleOutput(): Writable & Partial<Pick<tty.WriteStream, 'isTTY' | 'hasColors' | 'columns'>> {
  if (chosen) return chosen;
  chosen = process.stderr;
  if (process.stdin.isTTY === true && process.stderr.isTTY !== true) {
    try {
      const stream = new tty.WriteStream(fs.openSync('/dev/tty', 'w'));
      stream.on('error', (err) => ignored('writing to /dev/tty', err));
      chosen = stream;
      sayOn(stream);
    } catch (err) {
      ignored('opening /dev/tty', err);
    }
  }
  return chosen;
}

/** Ctrl-Z: the terminal back in its own modes, anode stopped; resolves when `fg` continues it. */
function suspendProcess(input: tty.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGCONT', () => {
      input.setRawMode(true);
      resolve();
    });
    input.setRawMode(false);
    process.kill(process.pid, 'SIGTSTP');
  });
}

/** Builds the terminal console for `evaluator`: history only on a real terminal. */
export async function terminalConsole(
  evaluator: LineEvaluator,
  flags: ConsoleFlags,
  options: { banner: string; prompt: string; colors: boolean; maxLineLength?: number },
): Promise<ConsoleEngine> {
  const output = consoleOutput();
  const terminal = flags.readline && process.stdin.isTTY === true && output.isTTY === true;
  const file = terminal ? historyPath() : undefined;
  const history = file ? new HistoryFile(file) : undefined;
  const entries = history ? await history.load() : [];
  return new ConsoleEngine({
    input: process.stdin,
    output,
    terminal,
    bracketedPaste: terminal,
    ...(terminal && process.platform !== 'win32' ? { suspend: () => suspendProcess(process.stdin as tty.ReadStream) } : {}),
    prompt: options.prompt,
    banner: options.banner,
    evaluator,
    ...(options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {}),
    mirrorOutput: flags.console ?? false,
    preview: flags.preview ?? true,
    highlight: (flags.highlight ?? false) && options.colors,
    ...(history ? { history: { entries, add: (entry: string) => history.add(entry) } } : {}),
  });
}

/**
 * Runs `engine` until it ends. SIGTERM/SIGHUP end it like Ctrl+D; SIGINT (Ctrl-C without a terminal)
 * interrupts the running entry, or ends the console when none runs. `bySignal` says a signal was involved.
 */
export async function runWithSignals(engine: ConsoleEngine): Promise<{ end: ConsoleEnd; bySignal: boolean }> {
  let bySignal = false;
  const onSignal = (): void => {
    bySignal = true;
    engine.close();
  };
  const onSigint = (): void => {
    bySignal = true;
    engine.interrupt();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSigint);
  try {
    return { end: await engine.run(), bySignal };
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSigint);
    process.stdin.pause();
  }
}
