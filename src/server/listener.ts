// The generic line server behind `--serve`, startInteractiveServer() and serveCli(): TCP (loopback unless
// told, a token required beyond it) or a unix socket (0600), one handler call per client with that
// client's streams and an AbortSignal, limits on clients, line length and queued output. Clients that have
// not given the token yet have their own small budget and a short deadline, apart from signed-in clients,
// and wrong tokens from one address slow down (token.ts): a flood of idle or guessing sockets cannot keep
// the rightful users out. Every socket it accepts, refused ones included, is closed by close().
import { createServer, type Server, type Socket } from 'node:net';
import { chmod } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { ServeError, TokenRequiredError } from '../errors.js';
import { formatAddress, isLoopback, parseServeAddress, type ServeAddress } from './address.js';
import { BoundedOutput, DEFAULT_MAX_BUFFERED } from './bounded-output.js';
import { DEFAULT_MAX_LINE_LENGTH, LineLimiter } from './line-limit.js';
import { TOKEN_PROMPT, TokenThrottle, readFirstLine } from './token.js';
import { prepareSocketPath, removeSocket } from './unix-socket.js';

/** The default most clients served at once. */
export const DEFAULT_MAX_CLIENTS = 64;

export interface ListenOptions {
  /** `[HOST:]PORT`, `unix:PATH`, or a parsed address. */
  address: string | ServeAddress;
  /** Shared secret every client must send first; required off loopback. */
  token?: string | undefined;
  maxClients?: number | undefined;
  /** Most clients at once that have connected but not given the token yet (default 16); the oldest makes room. */
  maxPending?: number | undefined;
  /** How long a client has to send its token, in ms (default 5 s). */
  tokenTimeoutMs?: number | undefined;
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
  /** Settles when the client has ended its input (half-closed: Ctrl-D in nc), while it may still read. */
  readonly inputEnded: Promise<void>;
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
  /** Signed in (gave the token, or none is asked): counts against maxClients, not against maxPending. */
  signedIn: boolean;
  /** Served and told goodbye: it no longer holds a place, though its socket may take a moment to close. */
  leaving: boolean;
}

const CLOSE_GRACE_MS = 2000;
/** A client that does not send its token within this time is closed (it would hold a place). */
const TOKEN_TIMEOUT_MS = 5000;
/** A crowd at the token prompt counts as over after this long without a newcomer closing an older one. */
const CROWD_QUIET_MS = 10_000;
/** The default most clients waiting to give their token. */
export const DEFAULT_MAX_PENDING = 16;

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

  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const tokenTimeoutMs = options.tokenTimeoutMs ?? TOKEN_TIMEOUT_MS;
  const throttle = new TokenThrottle({ log });
  /** Sockets refused at the door: closed as soon as they are told why, destroyed by close() at the latest. */
  const refused = new Set<Socket>();
  const signedIn = (): number => [...connections].filter((c) => c.signedIn && !c.leaving).length;
  const pending = (): Connection[] => [...connections].filter((c) => !c.signedIn && !c.leaving);

  const serveOne = async (connection: Connection): Promise<void> => {
    const { socket, controller } = connection;
    const remote = describeRemote(socket);
    const output = new BoundedOutput(socket, maxBuffered, () =>
      log(`dropped client ${remote}: more than ${maxBuffered} bytes of output waiting (it stopped reading)`),
    );
    output.on('error', () => undefined);
    const inputEnded = new Promise<void>((resolve) => {
      socket.once('end', () => resolve());
      socket.once('close', () => resolve());
    });
    const input = socket.pipe(
      new LineLimiter(maxLine, (n) => {
        output.write(`anode: line too long (${n} bytes, limit ${maxLine}); discarded\n`);
      }),
    );
    const signal = controller.signal;
    try {
      if (token !== undefined && !(await authenticate(input, output, signal, socket, remote))) return;
      connection.signedIn = true;
      if (signedIn() > maxClients) {
        log(`refused client ${remote}: ${maxClients} clients already connected`);
        output.end(`anode: too many clients (limit ${maxClients}); try again later\n`);
        return;
      }
      await handler({ input, output, signal, remote, inputEnded });
    } finally {
      connection.leaving = true;
      if (!output.writableEnded) output.end();
    }
  };

  /** Asks for the token; true once it matches. */
  const authenticate = async (input: Readable, output: Writable, signal: AbortSignal, socket: Socket, remote: string): Promise<boolean> => {
    output.write(TOKEN_PROMPT);
    const deadline = AbortSignal.timeout(tokenTimeoutMs);
    const given = await readFirstLine(input, AbortSignal.any([signal, deadline]));
    if (given === undefined) {
      if (!signal.aborted) output.end(`anode: no token received within ${Math.round(tokenTimeoutMs / 1000)} s; closing the connection\n`);
      // Told like every signed-in client (only that the server closes, nothing about the program).
      else if (signal.reason === 'closing') output.end('anode: the console server is closing\n');
      else if (signal.reason === 'crowded') output.end('anode: too many clients waiting to give their token; try again\n');
      return false;
    }
    const ok = await throttle.judge(socket.remoteAddress ?? 'unix', remote, given, token!, signal);
    if (ok === undefined) {
      if (signal.reason === 'closing') output.end('anode: the console server is closing\n');
      return false;
    }
    if (!ok) {
      output.end('anode: wrong token; closing the connection\n');
      return false;
    }
    return true;
  };

  const refuse = (socket: Socket, why: string, tell: string): void => {
    log(`refused client ${describeRemote(socket)}: ${why}`);
    refused.add(socket);
    socket.once('close', () => refused.delete(socket));
    // Read and drop what it sent (else its end is never seen and the socket never closes), tell it why,
    // and do not wait for it to agree.
    socket.resume();
    socket.end(tell);
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    if (closing) return refuse(socket, 'the server is closing', 'anode: the console server is closing\n');
    if (token === undefined && signedIn() >= maxClients) {
      return refuse(socket, `${maxClients} clients already connected`, `anode: too many clients (limit ${maxClients}); try again later\n`);
    }
    if (token !== undefined) {
      // Waiting to give their token: the oldest makes room (a flood of idle sockets cannot hold every place).
      const waiting = pending();
      if (waiting.length >= maxPending) {
        waiting[0]!.leaving = true;
        waiting[0]!.controller.abort('crowded');
        crowded();
      }
    }
    const controller = new AbortController();
    socket.once('close', () => controller.abort('gone'));
    const connection: Connection = { socket, controller, done: Promise.resolve(), signedIn: token === undefined, leaving: false };
    connections.add(connection);
    connection.done = serveOne(connection)
      .catch((err: unknown) => log(`client error: ${(err as Error).message}`))
      .then(() => waitClosed(socket))
      .finally(() => connections.delete(connection));
  });
  /** A burst of clients closed to make room at the token prompt: logged when it starts and when it ends. */
  let crowd: { since: number; closed: number; timer: NodeJS.Timeout | undefined } | undefined;
  const endCrowd = (): void => {
    if (!crowd) return;
    clearTimeout(crowd.timer);
    const seconds = Math.max(1, Math.round((Date.now() - crowd.since) / 1000));
    log(`${crowd.closed} client${crowd.closed === 1 ? '' : 's'} waiting for the token closed to make room in ${seconds} s`);
    crowd = undefined;
  };
  const crowded = (): void => {
    if (!crowd) {
      crowd = { since: Date.now(), closed: 0, timer: undefined };
      log(`${maxPending} clients are waiting to give their token: the one that waited longest is closed for each newcomer`);
    }
    crowd.closed += 1;
    clearTimeout(crowd.timer);
    crowd.timer = setTimeout(endCrowd, CROWD_QUIET_MS);
    crowd.timer.unref();
  };

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
        for (const socket of refused) socket.destroy();
        await Promise.all([...connections].map((c) => c.done));
        await stopped;
        throttle.close();
        endCrowd();
        if (address.kind === 'unix') await removeSocket(address.path);
      })();
      return closed;
    },
  };
}

function describeRemote(socket: Socket): string {
  return socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unix';
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
