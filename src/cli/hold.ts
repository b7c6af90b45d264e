// Holds a console on the terminal (stdin in, stderr out) until the user leaves or the target goes away.
import { chalkStderr } from 'chalk';
import { ConsoleEngine } from '../console/engine.js';
import { HistoryFile, historyPath } from '../console/history.js';
import { Evaluator } from '../session/evaluator.js';
import type { EvalSession } from '../session/session.js';

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
}

/**
 * Whether the console colours its output: a colour terminal (Node's hasColors() honours NO_COLOR and
 * FORCE_COLOR), unless --no-color. anode's own notices follow the same choice.
 */
export function useColor(flags: ConsoleFlags): boolean {
  const colors = flags.color && process.stderr.isTTY === true && process.stderr.hasColors();
  if (!colors) chalkStderr.level = 0;
  return colors;
}

/** Who ended the console: the user (EOF, .exit, Ctrl+C twice, a signal) or the target. */
export type HoldEnd = { by: 'user' } | { by: 'target'; reason: string };

/** Runs the terminal console over `session`; SIGTERM/SIGHUP/SIGINT end it like Ctrl+D. */
export async function holdTerminalConsole(session: EvalSession, flags: ConsoleFlags, banner: string): Promise<HoldEnd> {
  const terminal = flags.readline && process.stdin.isTTY === true && process.stderr.isTTY === true;
  const file = terminal ? historyPath() : undefined;
  const history = file ? new HistoryFile(file) : undefined;
  const entries = history ? await history.load() : [];
  const evaluator = new Evaluator(session, { colors: useColor(flags) });
  const engine = new ConsoleEngine({
    input: process.stdin,
    output: process.stderr,
    terminal,
    prompt: flags.prompt ?? '> ',
    banner: flags.banner ?? chalkStderr.dim(banner),
    evaluator,
    mirrorOutput: flags.console ?? false,
    preview: flags.preview ?? true,
    highlight: (flags.highlight ?? false) && evaluator.colors,
    ...(history ? { history: { entries, add: (entry: string) => history.add(entry) } } : {}),
  });
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
  let targetGone: string | undefined;
  void session.ended.then((reason) => {
    targetGone = reason;
    engine.close();
  });
  let end;
  try {
    end = await engine.run();
    // An entry that ended the program (`process.exit(3)`) closes the console before the session notices.
    if (end === 'closed' && !bySignal && targetGone === undefined) targetGone = await session.ended;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSigint);
    process.stdin.pause();
  }
  return targetGone === undefined ? { by: 'user' } : { by: 'target', reason: targetGone };
}
