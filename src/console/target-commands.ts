// The dot-commands that move a console between the program's threads and processes: `.workers` lists its
// threads, `.worker ID` enters one, `.worker main` goes back; `.children` lists its child processes,
// `.attach PID` enters one, `.detach` leaves it. What they print comes from the evaluator's targets (the session
// layer); a console whose evaluator has none says so.
import type { ConsoleTargets } from './types.js';

/** What a target command needs from the console that runs it. */
export interface TargetCommandContext {
  write(text: string): void;
  targets: ConsoleTargets | undefined;
}

const NO_TARGETS = "this console cannot reach the program's worker threads";

async function run(name: string, arg: string, ctx: TargetCommandContext): Promise<void> {
  if (!ctx.targets) return ctx.write(`${NO_TARGETS}\n`);
  const text = await ctx.targets.command(name, arg);
  ctx.write(text.endsWith('\n') ? text : `${text}\n`);
}

export const TARGET_COMMANDS = {
  workers: {
    help: "List the program's worker threads (id, file, since when, workerData)",
    run: (_arg: string, ctx: TargetCommandContext) => run('workers', '', ctx),
  },
  worker: {
    help: 'Move this console into a worker thread: .worker ID, or back: .worker main',
    run: (arg: string, ctx: TargetCommandContext) => run('worker', arg, ctx),
  },
  children: {
    help: "List the program's child Node.js processes (cluster workers, forked children)",
    run: (_arg: string, ctx: TargetCommandContext) => run('children', '', ctx),
  },
  attach: {
    help: 'Move this console into a child process: .attach PID (.detach comes back)',
    run: (arg: string, ctx: TargetCommandContext) => run('attach', arg, ctx),
  },
  detach: {
    help: 'Leave the process entered with .attach, as `anode attach` leaves (its inspector closed again)',
    run: (_arg: string, ctx: TargetCommandContext) => run('detach', '', ctx),
  },
};

/** The prompt for a console that is `where` ('' = the main thread): `worker 2> ` for the prompt `> `. */
export function promptAt(where: string, prompt: string): string {
  return where === '' ? prompt : `${where}${prompt}`;
}
