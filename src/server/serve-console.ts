// `--serve`: the console served to TCP / unix-socket clients instead of the terminal, until a signal to
// anode (SIGINT, SIGTERM, SIGHUP) or the program's end. Used by `anode run` and `anode attach`.
import { userInfo } from 'node:os';
import { anodeVariable } from '../anode-env.js';
import type { EvalSession } from '../session/session.js';
import type { ProcessReach } from '../session/targeted-evaluator.js';
import { TokenRequiredError } from '../errors.js';
import { formatAddress, isLoopback, parseServeAddress } from './address.js';
import { startConsoleServer } from './console-server.js';
import { checkSocketPath } from './unix-socket.js';

export interface ServeFlags {
  /** `[HOST:]PORT` or `unix:PATH`. */
  serve: string;
  /** The token; falls back to ANODE_TOKEN. */
  token?: string | undefined;
  maxClients?: number | undefined;
  banner?: string | undefined;
  prompt?: string | undefined;
  /** How clients' consoles reach the program's child processes (`.children`, `.attach PID`). */
  processes?: ProcessReach | undefined;
}

/** Who ended the served console: a signal to anode (`user`) or the target going away. */
export type ServeEnd = { by: 'user' } | { by: 'target'; reason: string };

/** The token `flags` give: --token, else ANODE_TOKEN (an empty one counts as none). */
export function serveToken(flags: Pick<ServeFlags, 'token'>): string | undefined {
  return flags.token ?? (anodeVariable('ANODE_TOKEN') || undefined);
}

/** Checks --serve and its token before anything starts (throws UsageError / TokenRequiredError). */
export function checkServeFlags(flags: ServeFlags): void {
  const address = parseServeAddress(flags.serve);
  if (address.kind === 'tcp' && !isLoopback(address.host) && serveToken(flags) === undefined) {
    throw new TokenRequiredError(formatAddress(address));
  }
  if (address.kind === 'unix') checkSocketPath(address.path);
}

/** What a token-less TCP console says first: who else can use it, and what to use instead. */
export function noTokenWarning(): string {
  const user = userInfoName();
  return `anode: warning: no token: every local user of this machine can run code as ${user} through this console; serve on unix:PATH or set ANODE_TOKEN (or --token)`;
}

function userInfoName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Serves the console over `session`; prints where on stderr; resolves when a signal or the target ends it. */
export async function serveConsole(
  session: EvalSession,
  flags: ServeFlags,
  banner: string,
  explainEnd?: (reason: string) => Promise<string>,
): Promise<ServeEnd> {
  const address = parseServeAddress(flags.serve);
  if (address.kind === 'tcp' && serveToken(flags) === undefined) {
    // Its first line: loopback TCP carries no identity, so this console is every local user's.
    process.stderr.write(`${noTokenWarning()}\n`);
  }
  // Registered first, the server tells its clients why before the race below closes it.
  const ended = explainEnd ? session.ended.then(explainEnd) : session.ended;
  const server = await startConsoleServer(session, {
    ended,
    address: flags.serve,
    token: serveToken(flags),
    maxClients: flags.maxClients,
    banner: flags.banner ?? banner,
    prompt: flags.prompt,
    processes: flags.processes,
  });
  process.stderr.write(`The console is being served on ${server.address}\n`);
  if (flags.token !== undefined) {
    process.stderr.write("anode: note: --token is visible to this machine's other users (ps); prefer the ANODE_TOKEN environment variable\n");
  }
  let onSignal = (): void => {};
  const signalled = new Promise<ServeEnd>((resolve) => {
    onSignal = () => resolve({ by: 'user' });
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  try {
    const end = await Promise.race([signalled, ended.then((reason): ServeEnd => ({ by: 'target', reason }))]);
    await server.close();
    return end;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
