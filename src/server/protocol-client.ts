// The client half of the anode protocol: connects to a served console (TCP or unix socket), answers its
// token prompt if it asks (the token line goes first, as for nc: nothing is evaluated before it), sends the
// hello, and waits for the welcome. Everything the server printed before the welcome (banner, prompt) is
// the plain console's greeting and is dropped; the welcome carries what the client shows instead, and the
// capabilities both sides have (a server one minor version apart is fine; another major one is refused).
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ConsoleConnectError, ProtocolError, ProtocolVersionError, TokenRefusedError } from '../errors.js';
import { debug, ignored } from '../log/debug.js';
import { formatAddress, type ServeAddress } from './address.js';
import {
  PROTOCOL_MAGIC,
  PROTOCOL_VERSION,
  announced,
  decodeServerMessage,
  encode,
  helloLine,
  type ClientMessage,
  type ServerMessage,
  type Welcome,
} from './protocol.js';
import { TOKEN_PROMPT } from './token.js';
import { socketErrorText } from '../net/socket-error.js';

export interface ConnectOptions {
  token?: string | undefined;
  /** How long to wait for the server's answer, in ms (default 10 s). */
  timeoutMs?: number | undefined;
  /** Ask for results coloured with ANSI escapes. */
  colors?: boolean | undefined;
  /** The protocol version to announce (tests use another one to check refusals). */
  version?: number | undefined;
  /** The minor version and capabilities to announce (tests play an older client with them). */
  minor?: number | undefined;
  capabilities?: readonly string[] | undefined;
}

/** An open, greeted connection to a served console. */
export interface ProtocolConnection {
  readonly welcome: Welcome;
  /** What both sides have: the welcome's list (or a minor-0 server's features). */
  readonly capabilities: ReadonlySet<string>;
  /** `HOST:PORT` or `unix:PATH`, for messages. */
  readonly address: string;
  send(message: ClientMessage): void;
  /** Called with each message after the welcome. */
  onMessage(listener: (message: ServerMessage) => void): void;
  /** Called with each line that is not a protocol message (a server's plain-text notice). */
  onNotice(listener: (text: string) => void): void;
  /** Resolves with why the connection ended: the server's `bye` reason, or what happened to the link. */
  readonly closed: Promise<string>;
  /** Leaves: sends `bye` and closes. */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Connects to `address` and greets the server; throws ConsoleConnectError / TokenRefusedError / ProtocolVersionError. */
export async function connectConsole(address: ServeAddress, options: ConnectOptions = {}): Promise<ProtocolConnection> {
  const socket = address.kind === 'unix' ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port });
  socket.setNoDelay(true);
  return openConsole(socket, formatAddress(address), options);
}

/** Greets the served console at the other end of `socket` (any duplex stream: tests use an in-memory pair). */
export async function openConsole(socket: Duplex, shown: string, options: ConnectOptions = {}): Promise<ProtocolConnection> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let received = '';
  let byeReason: string | undefined;
  const messageListeners: Array<(m: ServerMessage) => void> = [];
  const noticeListeners: Array<(text: string) => void> = [];
  let greeted: ((welcome: Welcome) => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  let state: 'first' | 'welcome' | 'open' = 'first';
  let tokenSent = false;

  const closed = new Promise<string>((resolve) => {
    socket.once('close', () => resolve(byeReason ?? 'the connection was lost'));
  });

  const onLine = (line: string): void => {
    let message: ServerMessage | undefined;
    try {
      message = decodeServerMessage(line);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      if (line.trim() !== '') for (const l of noticeListeners) l(line);
      return;
    }
    if (message === undefined) return debug('protocol: skipped a message type this anode does not know: %s', line.slice(0, 80));
    debug('protocol ← %s: %s', shown, message.type);
    if (message.type === 'bye') byeReason = message.reason ?? 'the server ended the console';
    for (const l of messageListeners) l(message);
  };

  const onData = (data: string): void => {
    received += data;
    if (state === 'first') {
      // The server always speaks first: its token prompt, or the plain console's banner.
      if (received.length < TOKEN_PROMPT.length && TOKEN_PROMPT.startsWith(received)) return;
      if (received.startsWith(TOKEN_PROMPT)) {
        if (options.token === undefined) return failed?.(new TokenRefusedError(shown, false));
        socket.write(`${options.token}\n`);
        tokenSent = true;
        received = received.slice(TOKEN_PROMPT.length);
      }
      state = 'welcome';
      socket.write(helloLine(options.version ?? PROTOCOL_VERSION, options.colors ?? false, options.minor, options.capabilities));
    }
    if (state === 'welcome') {
      const at = received.indexOf(PROTOCOL_MAGIC);
      const end = at < 0 ? -1 : received.indexOf('\n', at);
      if (end < 0) return;
      const line = received.slice(at, end);
      received = received.slice(end + 1);
      state = 'open';
      try {
        const answer = decodeServerMessage(line);
        if (answer?.type === 'welcome') {
          // Only another major version is refused: a minor apart, the welcome lists what both have.
          if (answer.version !== PROTOCOL_VERSION) {
            throw new ProtocolVersionError(
              `the console at ${shown} speaks anode protocol version ${answer.version}, this anode version ${PROTOCOL_VERSION}: use anodes of the same major version on both sides`,
            );
          }
          greeted?.(answer);
        } else if (answer?.type === 'error' && answer.code === 'version') {
          throw new ProtocolVersionError(`the console at ${shown} refused this client: ${answer.message}`);
        } else {
          throw new ConsoleConnectError(shown, `the server answered the hello with ${answer?.type === 'error' ? answer.message : `'${answer?.type ?? 'an unknown message'}'`}`);
        }
      } catch (err) {
        return failed?.(err as Error);
      }
    }
    let nl: number;
    while (state === 'open' && (nl = received.indexOf('\n')) >= 0) {
      const line = received.slice(0, nl);
      received = received.slice(nl + 1);
      onLine(line);
    }
  };

  socket.setEncoding('utf8');
  socket.on('data', onData);
  socket.on('error', (err: Error) => ignored(`the connection to ${shown} (its close is reported)`, err));
  try {
    const welcome = await new Promise<Welcome>((resolve, reject) => {
      greeted = resolve;
      failed = reject;
      const timer = setTimeout(() => {
        reject(new ConsoleConnectError(shown, `no anode console answered within ${timeoutMs / 1000} s (is it served by anode run --serve, attach --serve or startInteractiveServer?)`));
      }, timeoutMs);
      timer.unref();
      socket.once('error', (err: NodeJS.ErrnoException) => {
        reject(new ConsoleConnectError(shown, describeSocketError(err, hostOf(shown)), err));
      });
      socket.once('close', () => {
        clearTimeout(timer);
        const said = lastLine(received);
        if (/wrong token|no token/.test(said)) return reject(new TokenRefusedError(shown, tokenSent));
        reject(new ConsoleConnectError(shown, `the server closed the connection${said ? ` (it said: ${said})` : ''}`));
      });
      void closed.then(() => clearTimeout(timer));
      const onGreet = greeted;
      greeted = (w) => {
        clearTimeout(timer);
        onGreet(w);
      };
    });
    greeted = undefined;
    failed = undefined;
    return {
      welcome,
      capabilities: announced(welcome),
      address: shown,
      send(message) {
        debug('protocol → %s: %s', shown, message.type);
        if (!socket.destroyed && !socket.writableEnded) socket.write(encode(message));
      },
      onMessage: (l) => void messageListeners.push(l),
      onNotice: (l) => void noticeListeners.push(l),
      closed,
      close() {
        if (!socket.destroyed && !socket.writableEnded) socket.end(encode({ type: 'bye' }));
        setTimeout(() => socket.destroy(), 1000).unref();
      },
    };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** The host of a shown `HOST:PORT` (or a unix path as it is), for error messages. */
function hostOf(shown: string): string {
  const m = /^\[?(.*?)\]?:\d+$/.exec(shown);
  return m ? m[1]! : shown;
}

function describeSocketError(err: NodeJS.ErrnoException, host: string): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such socket (is the program served with --serve unix:PATH?)';
    case 'EACCES':
      return 'permission denied (the socket belongs to another user)';
    default:
      return socketErrorText(err, host, 'nothing is listening there (is the program served with --serve, and is the address right?)');
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== TOKEN_PROMPT.trim());
  return lines.at(-1) ?? '';
}
