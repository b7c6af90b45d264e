// `anode/internals`: the building blocks the `anode` command is made of, for tools built on anode. They
// follow anode's needs and may change in any release; the documented API is `anode` (src/index.ts).

export { listen, DEFAULT_MAX_CLIENTS, type LineServer, type ListenOptions, type ServedClient, type ClientHandler } from './server/listener.js';
export { startConsoleServer, type ConsoleServerOptions } from './server/console-server.js';
export { serveConsole, type ServeFlags, type ServeEnd } from './server/serve-console.js';
export { parseServeAddress, isLoopback, formatAddress, type ServeAddress } from './server/address.js';
export { connectConsole, openConsole, type ConnectOptions, type ProtocolConnection } from './server/protocol-client.js';
export { serveProtocolClient, type ProtocolClientOptions, type ProtocolSession } from './server/protocol-server.js';
export { RemoteLineEvaluator } from './server/remote-evaluator.js';

export { ConsoleEngine, type ConsoleOptions } from './console/engine.js';
export type { LineEvaluator, ConsoleEnd, EvalOutcome } from './console/types.js';
export { Evaluator, type EvaluatorOptions } from './session/evaluator.js';
export { EvalSession, type TargetInfo, type InterruptResult, type SessionOptions } from './session/session.js';
export type { Channel } from './session/channel.js';
export { openRemoteSession } from './session/remote.js';
export { openLocalSession } from './session/local.js';
export { launch, type LaunchOptions, type LaunchedProgram, type ProgramExit } from './program/launch.js';
export { processTable, type ProcessTable, type ProcessIdentity, type ProcessEntry, type ListeningSocket } from './program/process-table.js';
export { PendingCalls } from './io/pending-calls.js';
export { splitLine } from './cli-kit/split.js';
export * from './errors.js';
