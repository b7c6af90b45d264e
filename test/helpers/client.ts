// A line client for served consoles and CLIs (what `nc` does): connect over TCP or a unix socket, wait for
// text, send lines, read the output of one entry up to the next prompt.
import net from 'node:net';
import { matches } from './wait.js';

export interface LineClient {
  readonly socket: net.Socket;
  /** Everything received so far. */
  text: string;
  readonly closed: Promise<void>;
  waitFor(pattern: string | RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  send(line: string): void;
  /** Sends `line`, resolves with what came back before the next prompt. */
  evaluate(line: string, prompt?: string): Promise<string>;
  end(): void;
  destroy(): void;
}

/** Connects to `HOST:PORT` or `unix:PATH`. */
export async function connectClient(address: string): Promise<LineClient> {
  const options: net.NetConnectOpts = address.startsWith('unix:')
    ? { path: address.slice('unix:'.length) }
    : { host: address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, ''), port: Number(address.slice(address.lastIndexOf(':') + 1)) };
  const socket = net.connect(options);
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const client: LineClient = {
    socket,
    text: '',
    closed,
    waitFor(pattern, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = matches(client.text.slice(from), pattern);
          if (!m) return false;
          cleanup();
          resolve(m);
          return true;
        };
        const onClose = (): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`connection closed before ${String(pattern)} appeared; received:\n${client.text}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${String(pattern)}; received:\n${client.text}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          socket.off('data', check);
          socket.off('close', onClose);
        };
        if (check()) return;
        socket.on('data', check);
        socket.once('close', onClose);
      });
    },
    send(line) {
      socket.write(`${line}\n`);
    },
    async evaluate(line, prompt = '> ') {
      const start = client.text.length;
      client.send(line);
      const m = await client.waitFor(new RegExp(`\\n${escape(prompt)}$|^${escape(prompt)}$`), { from: start });
      return client.text.slice(start, start + (m.index ?? 0));
    },
    end() {
      socket.end();
    },
    destroy() {
      socket.destroy();
    },
  };
  socket.on('data', (d: string) => {
    client.text += d;
  });
  return client;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
