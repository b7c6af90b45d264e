// serveCli(): an AsyncCli served to TCP / unix-socket clients, one session each, with the same defaults
// and safety rules as `--serve` (loopback, token off loopback, unix socket 0600, limits).
import { listen, type LineServer, type ListenOptions } from '../server/listener.js';
import type { AsyncCli } from './async-cli.js';

export interface ServeCliOptions extends Omit<ListenOptions, 'address'> {
  host?: string;
  port?: number;
  /** A unix socket path instead of TCP. */
  path?: string;
  /** Print `The command line interface is being served on ADDRESS` on stdout (default true). */
  announce?: boolean;
}

/** Serves `cli` until the returned server is closed. */
export async function serveCli(cli: AsyncCli, options: ServeCliOptions = {}): Promise<LineServer> {
  const address =
    options.path !== undefined
      ? ({ kind: 'unix', path: options.path } as const)
      : ({ kind: 'tcp', host: options.host ?? '127.0.0.1', port: options.port ?? 0 } as const);
  const server = await listen({ ...options, address }, (client) =>
    cli.interact({ input: client.input, output: client.output, signal: client.signal }).then(() => undefined),
  );
  if (options.announce ?? true) process.stdout.write(`The command line interface is being served on ${server.address}\n`);
  return server;
}
