// The terminal front end: the console engine on stdin (in) and stderr (out), with persistent history,
// preview and colouring as the flags say, and the signals a terminal user sends. Used by `run`/`attach`
// (hold.ts) and `connect`.
import { chalkStderr } from 'chalk';
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
  const colors = flags.color && process.stderr.isTTY === true && process.stderr.hasColors();
  if (!colors) chalkStderr.level = 0;
  return colors;
}

/** Builds the terminal console for `evaluator`: history only on a real terminal. */
export async function terminalConsole(
  evaluator: LineEvaluator,
  flags: ConsoleFlags,
  options: { banner: string; prompt: string; colors: boolean; maxLineLength?: number },
): Promise<ConsoleEngine> {
  const terminal = flags.readline && process.stdin.isTTY === true && process.stderr.isTTY === true;
  const file = terminal ? historyPath() : undefined;
  const history = file ? new HistoryFile(file) : undefined;
  const entries = history ? await history.load() : [];
  return new ConsoleEngine({
    input: process.stdin,
    output: process.stderr,
    terminal,
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
