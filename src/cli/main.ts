// The `anode` command: parses arguments with commander and hands them to run/attach/...; user mistakes
// become one line on stderr and a non-zero exit, never a stack.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isAnodeError } from '../errors.js';
import { splitRunArgs } from './args.js';
import { parseGrace, parseSignal } from './stop-flags.js';
import type { RunFlags } from './run.js';
import { sayError } from './say.js';
import { guardOutput } from './broken-output.js';
import { withExamples } from './help-text.js';
import { VERSION } from '../version.js';

/** Adds the options every console shares (run, attach). */
function consoleOptions(cmd: Command): Command {
  // attach mirrors by default and offers --no-console only.
  if (!cmd.options.some((o) => o.long === '--no-console')) {
    cmd.option('--console', "mirror the program's console.* output into the console (.console on|off)");
  }
  return cmd
    .option('--banner <text>', 'text shown when the console opens')
    .option('--prompt <text>', 'the prompt', '> ')
    .option('--no-readline', 'read plain lines even on a terminal (no line editing)')
    .option('--no-color', 'never colour results (NO_COLOR is honoured too)')
    .option('--no-preview', 'no eager preview of the result under the line while typing')
    .option('--highlight', 'colour the syntax of the line being typed (colour terminals)')
    .option('--serve <[host:]port|unix:path>', 'serve the console to clients (nc) instead of the terminal; loopback unless a host is given')
    .option('--token <token>', 'secret a served client must send first (or set the ANODE_TOKEN variable); required off loopback')
    .option('--max-clients <n>', 'most clients served at once', parseCount, 64);
}

/** A positive integer option value. */
function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

function runCommand(): Command {
  const cmd = consoleOptions(
    new Command('run')
      .description('run a program with a live console into its event loop')
      .usage('[options] [node flags] [FILE] [args...]')
      .addOption(new Option('-m, --module <name>', "run an installed package's executable (as npx finds it)"))
      .option('--npm <script>', 'run a package.json script (npm run SCRIPT); the console goes into the program it starts, not npm')
      .option('--wait', 'hold the program before its first line until the console is connected')
      .option('--node <path>', 'the node binary that runs the program')
      .option('--kill-signal <signal>', 'the first signal that ends the program (then SIGTERM, then SIGKILL)', parseSignal, 'SIGINT')
      .option('--grace <ms>', 'how long the program is given after each of those signals', parseGrace, 3000),
  )
    .helpOption('-h, --help', 'show this help')
    .allowUnknownOption()
    .allowExcessArguments();
  return withExamples(cmd, [
    ['anode run app.js 8080', 'run app.js with its arguments and a console into it'],
    ['anode run --import tsx server.ts', 'node flags go before the program'],
    ['anode run app.js 2> err.log', "the program's stderr to a file; the console stays on the terminal"],
    ['anode run --serve 7000 app.js', 'serve the console (anode connect 7000, nc 127.0.0.1 7000)'],
    ['anode run -m vite', "run an installed package's executable"],
    ['anode', 'a console into an empty node process'],
  ]);
}

/** The commands besides `run` (and commander's `help`). */
const OTHER_COMMANDS = new Set(['attach', 'connect', 'ps', 'loop', 'profile', 'heapsnapshot', 'help']);

/** The commands other than run: `name`'s alone, or all of them (help, or an unknown name). */
async function otherCommands(name: string | undefined, setExitCode: (code: number) => void): Promise<Command[]> {
  const attach = async () => [(await import('./attach.js')).attachCommand(consoleOptions, setExitCode)];
  const connect = async () => [(await import('./connect.js')).connectCommand(setExitCode)];
  const ps = async () => [(await import('./ps.js')).psCommand(setExitCode)];
  const looks = async () => {
    const inspect = await import('./inspect-commands.js');
    return [inspect.loopCommand, inspect.profileCommand, inspect.heapSnapshotCommand].map((c) => c(setExitCode));
  };
  const one = { attach, connect, ps, loop: looks, profile: looks, heapsnapshot: looks }[name ?? ''];
  if (one) return (await one()).filter((cmd) => cmd.name() === name);
  return (await Promise.all([attach(), connect(), ps(), looks()])).flat();
}

/** Entry point: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // A reader that leaves (`anode --help | head -1`) ends anode quietly, never with a stack.
  guardOutput();
  const program = new Command('anode')
    .description("a live, asynchronous console into a Node.js program's event loop")
    .version(VERSION, '-V, --version', 'show the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .usage('[run] [options] [node flags] [FILE] [args...]')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`anode: ${text.replace(/^error: /, '')}`) });
  const runCmd = runCommand().exitOverride().configureOutput(program.configureOutput());
  program.addCommand(runCmd);
  withExamples(program, [
    ['anode run app.js', 'run app.js with a console into its event loop'],
    ['anode ps', "list this user's Node.js processes"],
    ['anode attach 4242', 'a console into the running process 4242'],
    ['anode connect 7000', 'a served console (anode run --serve 7000 app.js)'],
    ['anode help attach', 'the options and examples of one command'],
  ]);
  let exitCode = 0;
  const setExitCode = (code: number): void => void (exitCode = code);

  try {
    const [first, ...rest] = argv;
    // Its own start-up is anode's cost on every command: the version needs none of the commands loaded.
    if (argv.length === 1 && (first === '-V' || first === '--version')) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    // `anode` alone, or `anode --flags`, is `anode run`: a console into an empty node process.
    // `anode app.js` is `anode run app.js`: anything that is not one of the other commands is a program.
    const isRun =
      first === undefined || (first.startsWith('-') ? !/^(-h|--help|-V|--version)$/.test(first) : !OTHER_COMMANDS.has(first));
    if (!isRun) {
      // The other commands are loaded only when one of them (or the help listing them) is asked for, and
      // only that one when it is named.
      for (const cmd of await otherCommands(first === 'help' ? undefined : first, setExitCode)) {
        program.addCommand(cmd.exitOverride().configureOutput(program.configureOutput()));
      }
      await program.parseAsync(argv, { from: 'user' });
      return exitCode;
    }
    const split = splitRunArgs(first === 'run' ? rest : argv, runCmd.options);
    runCmd.parse(split.own, { from: 'user' });
    const flags = runCmd.opts<RunFlags>();
    const { run } = await import('./run.js');
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
