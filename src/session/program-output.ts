// Mirrors the program's console.* calls to consoles that ask for them (attach, where the program's
// stdout is not the user's terminal; or a served client). Runtime is enabled on the EVENT connection only,
// so the evaluation connection stays free of event traffic; messages logged before the subscription are
// not replayed as new, and the inspector's stored copies are discarded so the program keeps no extra memory.
import type { Protocol } from 'devtools-protocol';
import type { Channel } from './channel.js';
import { argumentOf } from './remote-object.js';

/** One console message of the program, formatted like its console would print it. */
export interface ProgramMessage {
  type: string;
  text: string;
}

type Listener = (message: ProgramMessage) => void;

export class ProgramOutput {
  readonly #channel: Channel;
  readonly #listeners = new Map<Listener, { colors: boolean }>();
  #off: (() => void) | undefined;
  #since = 0;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** Calls `listener` for each message from now on; returns the unsubscribe function. */
  subscribe(listener: Listener, options: { colors?: boolean } = {}): () => void {
    this.#listeners.set(listener, { colors: options.colors ?? false });
    if (!this.#off) void this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#stop();
    };
  }

  async #start(): Promise<void> {
    this.#since = Date.now();
    this.#off = this.#channel.on('Runtime.consoleAPICalled', (event) => {
      // Runtime.enable replays earlier messages: they are history, not news.
      if (event.timestamp < this.#since) return;
      this.#pending += 1;
      this.#queue = this.#queue
        .then(() => this.#deliver(event))
        .catch(() => undefined)
        .then(() => {
          this.#pending -= 1;
          // Discarding releases every message's arguments: only once none is waiting to be formatted.
          if (this.#pending === 0) return this.#channel.send('Runtime.discardConsoleEntries').then(() => undefined);
        })
        .catch(() => undefined);
    });
    await this.#channel.send('Runtime.enable').catch(() => undefined);
  }

  async #stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#channel.send('Runtime.disable').catch(() => undefined);
  }

  async #deliver(event: Protocol.Runtime.ConsoleAPICalledEvent): Promise<void> {
    const byColors = new Map<boolean, string>();
    for (const [listener, { colors }] of this.#listeners) {
      let text = byColors.get(colors);
      if (text === undefined) {
        text = await this.#format(event, colors);
        byColors.set(colors, text);
      }
      listener({ type: event.type, text });
    }
  }

  /** util.formatWithOptions in the target, so objects print as the program's console prints them. */
  async #format(event: Protocol.Runtime.ConsoleAPICalledEvent, colors: boolean): Promise<string> {
    const args = event.args.map(argumentOf);
    const r = await this.#channel.send('Runtime.callFunctionOn', {
      executionContextId: event.executionContextId,
      functionDeclaration: `function (...args) { return globalThis[Symbol.for('anode.agent')]?.formatArgs(${colors}, args) ?? args.join(' '); }`,
      arguments: args,
      returnByValue: true,
    });
    return r.exceptionDetails ? event.args.map((a) => a.description ?? String(a.value)).join(' ') : String(r.result.value);
  }
}
