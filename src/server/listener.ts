// The generic line server behind `--serve`, startInteractiveServer() and serveCli(): TCP (loopback unless
// told, a token required beyond it) or a unix socket (0600), one handler call per client with that
// client's streams and an AbortSignal, limits on clients, line length and queued output.
import { createServer, type Server, type Socket } from 'node:net';
import { chmod } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { ServeError, TokenRequiredError } from '../errors.js';
import { formatAddress, isLoopback, parseServeAddress, type ServeAddress } from './address.js';
import { BoundedOutput, DEFAULT_MAX_BUFFERED } from './bounded-output.js';
import { DEFAULT_MAX_LINE_LENGTH, LineLimiter } from './line-limit.js';
import { TOKEN_PROMPT, readFirstLine, tokenMatches } from './token.js';
import { prepareSocketPath, removeSocket } from './unix-socket.js';

/** The default most clients served at once. */
export const DEFAULT_MAX_CLIENTS = 64;

export interface ListenOptions {
  /** `[HOST:]PORT`, `unix:PATH`, or a parsed address. */
  address: string | ServeAddress;
  /** Shared secret every client must send first; required off loopback. */
  token?: string | undefined;
  maxClients?: number | undefined;
  /** Longest input line, in bytes (default 1 MiB). */
  maxLineLength?: number | undefined;
  /** Most output bytes queued for one client before it is dropped (default 8 MiB). */
  maxBuffered?: number | undefined;
  /** Where the server's own notices go (refused clients, wrong tokens). Default: anode's stderr. */
  log?: ((message: string) => void) | undefined;
}

/** One connected client, as a handler sees it. */
export interface ServedClient {
  readonly input: Readable;
  readonly output: Writable;
  /** Aborts when the client is gone (reason 'gone') or the server closes (reason 'closing'). */
  readonly signal: AbortSignal;
  /** `HOST:PORT` of the peer, or `unix` for a socket client. */
  readonly remote: string;
}

/** Serves one client; the connection ends when the returned promise settles. */
export type ClientHandler = (client: ServedClient) => Promise<void>;

/** A listening server. */
export interface LineServer {
  /** `HOST:PORT` or `unix:PATH`, with the real port when 0 was asked. */
  readonly address: string;
  readonly server: Server;
  /** Clients connected right now. */
  readonly clientCount: number;
  /** Stops listening, ends every client (their handlers see 'closing'), resolves once all are gone. */
  close(): Promise<void>;
}

interface Connection {
  socket: Socket;
  controller: AbortController;
  done: Promise<void>;
}

const CLOSE_GRACE_MS = 2000;
/** A client that does not send its token within this time is closed (it would hold a place). */
const TOKEN_TIMEOUT_MS = 30_000;

/** Listens on `options.address` and calls `handler` for each client. */
export async function listen(options: ListenOptions, handler: ClientHandler): Promise<LineServer> {
  const address = typeof options.address === 'string' ? parseServeAddress(options.address) : options.address;
  const token = options.token;
  if (token === '') throw new ServeError('the token is empty: give a non-empty --token (or ANODE_TOKEN)');
  if (address.kind === 'tcp' && !isLoopback(address.host) && token === undefined) {
    throw new TokenRequiredError(formatAddress(address));
  }
  const maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const log = options.log ?? ((m: string) => void process.stderr.write(`anode: ${m}\n`));
  const connections = new Set<Connection>();
  let closing = false;

  const serveOne = async (socket: Socket, controller: AbortController): Promise<void> => {
    const remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
    const output = new BoundedOutput(socket, maxBuffered, () =>
      log(`dropped client ${remote}: more than ${maxBuffered} bytes of output waiting (it stopped reading)`),
    );
    output.on('error', () => undefined);
    const input = socket.pipe(
      new LineLimiter(maxLine, (n) => {
        output.write(`anode: line too long (${n} bytes, limit ${maxLine}); discarded\n`);
      }),
    );
    const signal = controller.signal;
    try {
      await authenticateAndServe(input, output, signal, remote);
    } finally {
      if (!output.writableEnded) output.end();
    }
  };

  const authenticateAndServe = async (input: Readable, output: Writable, signal: AbortSignal, remote: string): Promise<void> => {
    if (token !== undefined) {
      output.write(TOKEN_PROMPT);
      const given = await readFirstLine(input, AbortSignal.any([signal, AbortSignal.timeout(TOKEN_TIMEOUT_MS)]));
      if (given === undefined) {
        if (!signal.aborted) output.end('anode: no token received; closing the connection\n');
        // Told like every signed-in client (only that the server closes, nothing about the program).
        else if (signal.reason === 'closing') output.end('anode: the console server is closing\n');
        return;
      }
      if (!tokenMatches(given, token)) {
        log(`refused client ${remote}: wrong token`);
        output.end('anode: wrong token; closing the connection\n');
        return;
      }
    }
    await handler({ input, output, signal, remote });
  };

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    if (closing || connections.size >= maxClients) {
      const remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
      log(`refused client ${remote}: ${closing ? 'the server is closing' : `${maxClients} clients already connected`}`);
      socket.end(`anode: too many clients (limit ${maxClients}); try again later\n`);
      return;
    }
    const controller = new AbortController();
    socket.once('close', () => controller.abort('gone'));
    const connection: Connection = { socket, controller, done: Promise.resolve() };
    connections.add(connection);
    connection.done = serveOne(socket, controller)
      .catch((err: unknown) => log(`client error: ${(err as Error).message}`))
      .then(() => waitClosed(socket))
      .finally(() => connections.delete(connection));
  });

  await startListening(server, address);
  const bound = server.address();
  const shown: ServeAddress =
    address.kind === 'unix' || bound === null || typeof bound === 'string'
      ? address
      : { kind: 'tcp', host: bound.address, port: bound.port };

  let closed: Promise<void> | undefined;
  return {
    address: formatAddress(shown),
    server,
    get clientCount() {
      return connections.size;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of connections) c.controller.abort('closing');
        await Promise.all([...connections].map((c) => c.done));
        await stopped;
        if (address.kind === 'unix') await removeSocket(address.path);
      })();
      return closed;
    },
  };
}

/** Waits for the socket to close after its output ended; destroys it if the peer lingers. */
async function waitClosed(socket: Socket): Promise<void> {
  if (socket.destroyed) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startListening(server: Server, address: ServeAddress): Promise<void> {
  if (address.kind === 'unix') await prepareSocketPath(address.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new ServeError(`cannot serve on ${formatAddress(address)}: ${err.code ?? err.message}`, err));
    };
    server.once('error', onError);
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (address.kind === 'unix') {
      // Created 0600 (umask 0177 for the bind), so no other user can connect even for an instant.
      let previous: number | undefined;
      try {
        previous = process.umask(0o177);
      } catch {
        // Worker threads cannot change the umask: the chmod below still applies.
      }
      try {
        server.listen(address.path, onListening);
      } finally {
        if (previous !== undefined) process.umask(previous);
      }
    } else {
      server.listen({ host: address.host, port: address.port }, onListening);
    }
  });
  if (address.kind === 'unix') await chmod(address.path, 0o600);
}
