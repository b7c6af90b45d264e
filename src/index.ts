// anode as a library, the documented API: consoles into this process (interact, startInteractiveServer,
// aeval), promise-based line I/O (ainput, aprint), command-line interfaces over any streams (AsyncCli,
// serveCli), and the errors they reject with. The building blocks the `anode` command is made of are in
// `anode/internals` (src/internals.ts), without the promise of stability.

export { interact, type InteractOptions } from './library/interact.js';
export { startInteractiveServer, InteractiveServer, type InteractiveServerOptions } from './library/server.js';
export { aeval } from './library/aeval.js';
export { ainput, aprint, type AinputOptions, type AprintOptions } from './library/streams.js';

export {
  AnodeError,
  isAnodeError,
  isTargetClosed,
  TargetClosedError,
  UsageError,
  TimeoutError,
  EndOfInputError,
  AbortedError,
  OutputClosedError,
  TokenRequiredError,
  ServeError,
} from './errors.js';

export { AsyncCli, type AsyncCliOptions, type CliHandler, type CliIO, type CliInteractOptions } from './cli-kit/async-cli.js';
export { serveCli, type ServeCliOptions } from './cli-kit/serve-cli.js';
export { Command, Option, Argument, InvalidArgumentError } from 'commander';
