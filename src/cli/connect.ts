// `anode connect HOST:PORT | unix:PATH`: the full terminal console (line editing, persistent history, Tab,
// Ctrl-C that interrupts the remote entry, Ctrl-D that leaves) into a console served by `--serve` or
// startInteractiveServer(). The engine runs here; entries run there, over the anode protocol.
import { chalkStderr } from 'chalk';
import { anodeVariable } from '../anode-env.js';
import { Command } from 'commander';
import { ConsoleGoneError, UsageError } from '../errors.js';
import { parseServeAddress, type ServeAddress } from '../server/address.js';
import { connectConsole } from '../server/protocol-client.js';
import { RemoteLineEvaluator } from '../server/remote-evaluator.js';
import { DEFAULT_MAX_LINE_LENGTH } from '../server/line-limit.js';
import { runWithSignals, terminalConsole, useColor } from './terminal.js';
import { withExamples } from './help-text.js';

export interface ConnectFlags {
  token?: string;
  readline: boolean;
  color: boolean;
  console?: boolean;
  preview?: boolean;
  highlight?: boolean;
}

/** The `connect` subcommand; reports its exit code through `setExitCode`. */
export function connectCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('connect')
    .description('connect to a served console (anode run/attach --serve, startInteractiveServer) with line editing, history and Tab')
    .argument('<address>', 'HOST:PORT, PORT (on 127.0.0.1) or unix:PATH')
    .option('--token <token>', 'the token the server asks for (or set the ANODE_TOKEN variable)')
    .option('--no-readline', 'read plain lines even on a terminal (no line editing)')
    .option('--no-color', 'never colour results (NO_COLOR is honoured too)')
    .option('--console', "mirror the program's console.* output into the console (.console on|off)")
    .option('--no-preview', 'no eager preview of results while typing')
    .option('--highlight', 'colour the syntax of the line being typed (colour terminals)')
    .helpOption('-h, --help', 'show this help')
    .action(async (address: string, flags: ConnectFlags) => setExitCode(await connect(address, flags)));
  return withExamples(cmd, [
    ['anode connect 7000', 'the console served by anode run --serve 7000 app.js'],
    ['anode connect host.example:7000', 'a console served beyond loopback (asks for its token)'],
    ['anode connect unix:/run/app/console.sock', 'a console served on a unix socket'],
  ]);
}

/** Parses the address `anode connect` was given (a port of 0 cannot be connected to). */
export function parseConnectAddress(text: string): ServeAddress {
  let address: ServeAddress;
  try {
    address = parseServeAddress(text);
  } catch {
    address = { kind: 'tcp', host: '', port: 0 };
  }
  if (address.kind === 'tcp' && (address.port === 0 || address.host === '')) {
    throw new UsageError(`anode connect expects HOST:PORT, PORT or unix:PATH, with PORT 1-65535 (got '${text}')`);
  }
  return address;
}

/** Connects, holds the terminal console until the user leaves (0) or the server goes away (throws). */
export async function connect(addressText: string, flags: ConnectFlags): Promise<number> {
  const address = parseConnectAddress(addressText);
  const colors = useColor(flags);
  const connection = await connectConsole(address, {
    token: flags.token ?? (anodeVariable('ANODE_TOKEN') || undefined),
    colors,
  });
  const evaluator = new RemoteLineEvaluator(connection);
  const { welcome } = connection;
  const engine = await terminalConsole(evaluator, flags, {
    banner: chalkStderr.dim(`${welcome.banner}\nConnected to ${connection.address}.`),
    prompt: welcome.prompt,
    colors,
    // Leaves room for the JSON escaping, under the server's default line limit.
    maxLineLength: Math.floor(DEFAULT_MAX_LINE_LENGTH / 2),
  });
  evaluator.noticeListeners.add((text) => engine.printAbove(text));
  evaluator.onAsk = (prompt, signal) => engine.ask(prompt, signal);
  let leaving = false;
  let gone: string | undefined;
  void connection.closed.then((reason) => {
    if (leaving) return;
    gone = reason;
    engine.close();
  });
  try {
    const { end } = await runWithSignals(engine);
    // An entry that lost the connection closed the console: the evaluator saw why first.
    if (end === 'closed' && gone === undefined) gone = evaluator.gone;
  } finally {
    leaving = true;
    connection.close();
  }
  if (gone !== undefined) {
    process.stderr.write('\n'); // off the prompt line
    throw new ConsoleGoneError(connection.address, gone);
  }
  await connection.closed;
  return 0;
}


