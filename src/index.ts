// anode as a library: consoles into this process (interact, startInteractiveServer, aeval), promise-based
// line I/O (ainput, aprint), command-line interfaces over any streams (AsyncCli, serveCli), and the
// building blocks the `anode` command uses.

export { interact, type InteractOptions } from './library/interact.js';
export { startInteractiveServer, type InteractiveServerOptions } from './library/server.js';
export { aeval } from './library/aeval.js';
export { ainput, aprint, type AinputOptions, type AprintOptions } from './library/streams.js';

export { listen, DEFAULT_MAX_CLIENTS, type LineServer, type ListenOptions, type ServedClient, type ClientHandler } from './server/listener.js';
export { startConsoleServer, type ConsoleServerOptions } from './server/console-server.js';
export { serveConsole, type ServeFlags, type ServeEnd } from './server/serve-console.js';
export { parseServeAddress, isLoopback, formatAddress, type ServeAddress } from './server/address.js';

export { ConsoleEngine, type ConsoleOptions } from './console/engine.js';
export type { LineEvaluator, ConsoleEnd, EvalOutcome } from './console/types.js';
export { Evaluator, type EvaluatorOptions } from './session/evaluator.js';
export { EvalSession, type TargetInfo, type InterruptResult, type SessionOptions } from './session/session.js';
export type { Channel } from './session/channel.js';
export { openRemoteSession } from './session/remote.js';
export { openLocalSession } from './session/local.js';
export { launch, type LaunchOptions, type LaunchedProgram, type ProgramExit } from './program/launch.js';

export {
  AnodeError,
  ProgramNotFoundError,
  ProgramStartError,
  ConnectError,
  TargetClosedError,
  UsageError,
  TimeoutError,
  EndOfInputError,
  AbortedError,
  TokenRequiredError,
  ServeError,
} from './errors.js';

export { AsyncCli, type AsyncCliOptions, type CliHandler, type CliIO, type CliInteractOptions } from './cli-kit/async-cli.js';
export { serveCli, type ServeCliOptions } from './cli-kit/serve-cli.js';
export { splitLine } from './cli-kit/split.js';
export { Command, Option, Argument, InvalidArgumentError } from 'commander';
