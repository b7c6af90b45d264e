// A line client for served consoles and CLIs (what `nc` does): connect over TCP or a unix socket, wait for
// text, send lines, read the output of one entry up to the next prompt.
import net from 'node:net';
import { waitForText } from './wait.js';

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
      const source = { text: () => client.text, emitter: socket, dataEvent: 'data', endEvent: 'close', describe: () => `received:\n${client.text}` };
      return waitForText(source, pattern, from, timeoutMs);
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
