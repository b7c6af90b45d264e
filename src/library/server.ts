// startInteractiveServer(): the embeddable backdoor. One console per client into THIS process, with the
// same defaults and safety rules as `anode run --serve` (loopback, token off loopback, unix socket 0600).
import { UsageError } from '../errors.js';
import { startConsoleServer } from '../server/console-server.js';
import type { ConsoleEngine } from '../console/engine.js';
import { evaluatorIn } from './context.js';
import { localBanner } from './interact.js';
import { InteractiveServer } from './interactive-server.js';
import { localSession } from './local.js';

export interface InteractiveServerOptions {
  /** Default 127.0.0.1; any other non-loopback host requires `token`. */
  host?: string;
  /** Default 0 (a free port: read `server.address().port`). */
  port?: number;
  /** A unix socket path instead of TCP (created 0600). */
  path?: string;
  banner?: string;
  prompt?: string;
  token?: string;
  maxClients?: number;
  maxLineLength?: number;
  colors?: boolean;
  /** Where refused clients are logged (default: stderr). */
  log?: (message: string) => void;
}

export { InteractiveServer };

/** Starts serving consoles into this process; resolves once listening. */
export async function startInteractiveServer(options: InteractiveServerOptions = {}): Promise<InteractiveServer> {
  if (options.path !== undefined && (options.host !== undefined || options.port !== undefined)) {
    throw new UsageError('startInteractiveServer: give either `path` (a unix socket) or `host`/`port` (TCP), not both');
  }
  const session = await localSession();
  const address =
    options.path !== undefined
      ? ({ kind: 'unix', path: options.path } as const)
      : ({ kind: 'tcp', host: options.host ?? '127.0.0.1', port: options.port ?? 0 } as const);
  const line = await startConsoleServer(session, {
    address,
    token: options.token,
    maxClients: options.maxClients,
    maxLineLength: options.maxLineLength,
    log: options.log,
    banner: options.banner ?? localBanner(),
    prompt: options.prompt,
    colors: options.colors,
    wrapEvaluator: (evaluator, client, engine: () => Pick<ConsoleEngine, 'ask'>) =>
      evaluatorIn(evaluator, () => ({ output: client.output, ask: (p, s) => engine().ask(p, s) })),
  });
  return new InteractiveServer(line);
}
