// Holds a console on the terminal (stdin in, stderr out) over a session until the user leaves or the
// target goes away.
import { chalkStderr } from 'chalk';
import { TargetedEvaluator } from '../session/targeted-evaluator.js';
import { processReach } from './process-reach.js';
import type { EvalSession } from '../session/session.js';
import { runWithSignals, terminalConsole, useColor, type ConsoleFlags } from './terminal.js';

export { useColor, type ConsoleFlags } from './terminal.js';

/** Who ended the console: the user (EOF, .exit, Ctrl+C twice, a signal) or the target. */
export type HoldEnd = { by: 'user' } | { by: 'target'; reason: string };

/** Runs the terminal console over `session`; SIGTERM/SIGHUP/SIGINT end it like Ctrl+D. */
export async function holdTerminalConsole(session: EvalSession, flags: ConsoleFlags, banner: string): Promise<HoldEnd> {
  const evaluator = new TargetedEvaluator(session, { colors: useColor(flags), processes: processReach });
  if (flags.worker !== undefined) await evaluator.enter(flags.worker);
  const engine = await terminalConsole(evaluator, flags, {
    banner: flags.banner ?? chalkStderr.dim(banner),
    prompt: flags.prompt ?? '> ',
    colors: evaluator.colors,
  });
  let targetGone: string | undefined;
  void session.ended.then((reason) => {
    targetGone = reason;
    engine.close();
  });
  const { end, bySignal } = await runWithSignals(engine).finally(() => evaluator.leaveAll());
  // An entry that ended the program (`process.exit(3)`) closes the console before the session notices.
  if (end === 'closed' && !bySignal && targetGone === undefined) targetGone = await session.ended;
  return targetGone === undefined ? { by: 'user' } : { by: 'target', reason: targetGone };
}
