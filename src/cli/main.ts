// The `anode` command: parses arguments with commander and hands them to run/attach/...; user mistakes
// become one line on stderr and a non-zero exit, never a stack.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isAnodeError } from '../errors.js';
import { splitRunArgs } from './args.js';
import { run, type RunFlags } from './run.js';
import { sayError } from './say.js';
import { VERSION } from '../version.js';

/** Adds the options every console shares (run, attach). */
function consoleOptions(cmd: Command): Command {
  return cmd
    .option('--banner <text>', 'text shown when the console opens')
    .option('--prompt <text>', 'the prompt', '> ')
    .option('--no-readline', 'read plain lines even on a terminal (no line editing)')
    .option('--no-color', 'never colour results (NO_COLOR is honoured too)')
    .option('--no-preview', 'no eager preview of the result under the line while typing')
    .option('--highlight', 'colour the syntax of the line being typed (colour terminals)')
    .option('--console', "mirror the program's console.* output into the console (.console on|off)")
    .option('--serve <[host:]port|unix:path>', 'serve the console to clients (nc) instead of the terminal; loopback unless a host is given')
    .option('--token <token>', 'secret a served client must send first (default: ANODE_TOKEN); required off loopback')
    .option('--max-clients <n>', 'most clients served at once', parseCount, 64);
}

/** A positive integer option value. */
function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

function runCommand(): Command {
  return consoleOptions(
    new Command('run')
      .description('run a program with a live console into its event loop')
      .usage('[options] [node flags] [FILE] [args...]')
      .addOption(new Option('-m, --module <name>', "run an installed package's executable (as npx finds it)"))
      .option('--wait', 'hold the program before its first line until the console is connected', false)
      .option('--node <path>', 'the node binary that runs the program'),
  )
    .helpOption('-h, --help', 'show this help')
    .allowUnknownOption()
    .allowExcessArguments();
}

/** Entry point: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('anode')
    .description("a live, asynchronous console into a Node.js program's event loop")
    .version(VERSION, '-V, --version')
    .usage('[run] [options] [node flags] [FILE] [args...]')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`anode: ${text.replace(/^error: /, '')}`) });
  const runCmd = runCommand().exitOverride();
  program.addCommand(runCmd);
  let exitCode = 0;
  const setExitCode = (code: number): void => void (exitCode = code);

  try {
    const [first, ...rest] = argv;
    // `anode` alone, or `anode --flags`, is `anode run`: a console into an empty node process.
    const isRun = first === 'run' || first === undefined || (first.startsWith('-') && !/^(-h|--help|-V|--version)$/.test(first));
    if (!isRun) {
      // The other commands are loaded only when one of them (or the help listing them) is asked for.
      const [{ attachCommand }, { connectCommand }, { psCommand }] = await Promise.all([
        import('./attach.js'),
        import('./connect.js'),
        import('./ps.js'),
      ]);
      for (const cmd of [attachCommand(consoleOptions, setExitCode), connectCommand(setExitCode), psCommand(setExitCode)]) {
        program.addCommand(cmd.exitOverride().configureOutput(program.configureOutput()));
      }
      await program.parseAsync(argv, { from: 'user' });
      return exitCode;
    }
    const split = splitRunArgs(first === 'run' ? rest : argv, runCmd.options);
    runCmd.parse(split.own, { from: 'user' });
    const flags = runCmd.opts<RunFlags>();
    return await run(flags, split.file, split.args, split.nodeFlags);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isAnodeError(err)) {
      sayError(err.message);
      return 1;
    }
    sayError(`internal error: ${(err as Error).stack ?? String(err)}`);
    return 70;
  }
}
