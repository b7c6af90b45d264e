// Holds a console on the terminal (stdin in, stderr out) over a session until the user leaves or the
// target goes away.
import { chalkStderr } from 'chalk';
import { TargetedEvaluator } from '../session/targeted-evaluator.js';
import { processReach } from './process-reach.js';
import type { EvalSession } from '../session/session.js';
import { runWithSignals, terminalConsole, useColor, type ConsoleFlags } from './terminal.js';
import { outputNotice, type ProgramStdio } from './program-stdio.js';
import { streamOf } from '../session/program-output.js';
import type { ConsoleEngine } from '../console/engine.js';
import { engineIo } from '../console/engine-io.js';

export { useColor, type ConsoleFlags } from './terminal.js';

/** Who ended the console: the user (EOF, .exit, Ctrl+C twice, a signal) or the target. */
export type HoldEnd = { by: 'user' } | { by: 'target'; reason: string };

/**
 * Runs the terminal console over `session`; SIGTERM/SIGHUP/SIGINT end it like Ctrl+D. `stdio` (anode
 * run) says where the program's own output goes: what a terminal shows already is not mirrored again.
 */
export async function holdTerminalConsole(session: EvalSession, flags: ConsoleFlags, banner: string, stdio?: ProgramStdio): Promise<HoldEnd> {
  let engine: ConsoleEngine | undefined;
  const evaluator = new TargetedEvaluator(session, {
    colors: useColor(flags),
    // `ainput` / `aprint` typed here read from and print to this terminal, not the program's stdio.
    io: () => engine && engineIo(engine),
    processes: processReach,
    ...(stdio ? { shownElsewhere: (stream: 'stdout' | 'stderr') => stdio[stream].shown } : {}),
  });
  if (flags.worker !== undefined) await evaluator.enter(flags.worker);
  engine = await terminalConsole(evaluator, flags, {
    banner: flags.banner ?? chalkStderr.dim(banner),
    prompt: flags.prompt ?? '> ',
    colors: evaluator.colors,
  });
  const unwatch = stdio ? noticeOutputPlace(session, engine, stdio) : undefined;
  let targetGone: string | undefined;
  void session.ended.then((reason) => {
    targetGone = reason;
    engine.close();
  });
  const { end, bySignal } = await runWithSignals(engine).finally(() => {
    unwatch?.();
    return evaluator.finish();
  });
  // An entry that ended the program (`process.exit(3)`) closes the console before the session notices.
  if (end === 'closed' && !bySignal && targetGone === undefined) targetGone = await session.ended;
  return targetGone === undefined ? { by: 'user' } : { by: 'target', reason: targetGone };
}

/**
 * The first time an entry logs to a stream the user does not see, says once where it went. Only for a
 * person at a terminal: a piped console is a script, whose transcript gets no extra lines.
 */
function noticeOutputPlace(session: EvalSession, engine: ConsoleEngine, stdio: ProgramStdio): (() => void) | undefined {
  if (process.stdin.isTTY !== true) return undefined;
  const told = new Set<'stdout' | 'stderr'>();
  const untold = (['stdout', 'stderr'] as const).filter((s) => !stdio[s].shown);
  if (untold.length === 0) return undefined;
  const off = session.programOutput.subscribe(
    ({ type, timestamp }) => {
      const stream = streamOf(type);
      // What the program logged before the entry began (its event can arrive during the entry) is not the entry's.
      const since = engine.evaluatingSince;
      if (since === undefined || timestamp < since || stdio[stream].shown || told.has(stream)) return;
      told.add(stream);
      engine.write(`${chalkStderr.dim(outputNotice(stream, stdio[stream]))}\n`);
      if (untold.every((s) => told.has(s))) off();
    },
    { format: false },
  );
  return off;
}
