// A TCP console client: connects, waits for the prompt, sends a line and reads up to the next prompt.
import net from 'node:net';

/** One client of a line-oriented console over TCP (anode --serve, the bridge, Node's repl server). */
export class LineClient {
  /** Connects to host:port and resolves once the first prompt (after any banner) arrives. */
  static async open(port, { host = '127.0.0.1', prompt = '> ', timeoutMs = 10_000 } = {}) {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const client = new LineClient(socket, prompt);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    client.banner = await client.#untilPrompt(timeoutMs);
    return client;
  }

  constructor(socket, prompt) {
    this.socket = socket;
    this.prompt = prompt;
    this.buffer = '';
    this.wake = undefined;
    this.closed = false;
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  #untilPrompt(timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no prompt within ${timeoutMs} ms (got ${JSON.stringify(this.buffer.slice(-200))})`)), timeoutMs);
      const finish = (err) => {
        clearTimeout(timer);
        this.wake = undefined;
        if (err) return reject(err);
        const text = this.buffer.slice(0, -this.prompt.length);
        this.buffer = '';
        return resolve(text);
      };
      this.wake = () => {
        if (this.buffer.endsWith(this.prompt)) finish();
        else if (this.closed) finish(new Error(`connection closed (got ${JSON.stringify(this.buffer.slice(-200))})`));
      };
      this.wake();
    });
  }

  /** Sends `line` and resolves with the text printed before the next prompt. */
  ask(line, timeoutMs = 10_000) {
    this.socket.write(`${line}\n`);
    return this.#untilPrompt(timeoutMs);
  }

  /** Total bytes this client received so far. */
  get bytesRead() {
    return this.socket.bytesRead;
  }

  close() {
    this.socket.destroy();
  }
}
