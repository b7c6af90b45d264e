// Mirrors the program's console.* calls to consoles that ask for them (attach, where the program's
// stdout is not the user's terminal; or a served client). Runtime is enabled on the EVENT connection only,
// so the evaluation connection stays free of event traffic; messages logged before the subscription are
// not replayed as new, and the inspector's stored copies are discarded so the program keeps no extra memory.
import type { Protocol } from 'devtools-protocol';
import type { Channel } from './channel.js';
import { argumentOf } from './remote-object.js';
import { ignored } from '../log/debug.js';

/** One console message of the program, formatted like its console would print it. */
export interface ProgramMessage {
  type: string;
  text: string;
  /** When the program logged it (ms since the epoch, the inspector's timestamp). */
  timestamp: number;
}

/**
 * Calls Node's console makes through another console method: the inspector reports both (console.table
 * as `table` with the raw arguments, then the `log` of the drawn table; assert, trace, count, timeEnd,
 * group likewise). The second one is what the program printed: the first is not shown.
 */
const REPORTED_AGAIN = new Set(['table', 'assert', 'trace', 'count', 'countReset', 'timeEnd', 'startGroup', 'startGroupCollapsed', 'endGroup']);

/** The stream Node's console writes a message of `type` to. */
export function streamOf(type: string): 'stdout' | 'stderr' {
  return type === 'error' || type === 'warning' || type === 'trace' || type === 'assert' ? 'stderr' : 'stdout';
}

type Listener = (message: ProgramMessage) => void;

export class ProgramOutput {
  readonly #channel: Channel;
  readonly #listeners = new Map<Listener, { colors: boolean; format: boolean }>();
  #off: (() => void) | undefined;
  #since = 0;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  /** Messages received so far (a discard waits until no new one came in). */
  #received = 0;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** Calls `listener` for each message from now on; returns the unsubscribe function. */
  subscribe(listener: Listener, options: { colors?: boolean; format?: boolean } = {}): () => void {
    this.#listeners.set(listener, { colors: options.colors ?? false, format: options.format ?? true });
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
      if (event.timestamp < this.#since || REPORTED_AGAIN.has(event.type)) return;
      this.#pending += 1;
      this.#received += 1;
      this.#queue = this.#queue
        .then(() => this.#deliver(event))
        .catch((err: unknown) => ignored('showing a console message', err))
        .then(() => {
          this.#pending -= 1;
          if (this.#pending === 0) return this.#discardWhenQuiet();
        })
        .catch((err: unknown) => ignored('discarding console messages', err));
    });
    await this.#channel.send('Runtime.enable').catch((err: unknown) => ignored('mirroring: enabling Runtime', err));
  }

  /**
   * Discarding releases every message's arguments: only once none is waiting to be formatted, and none
   * is on its way (a round trip on the event connection brings any message sent before it first).
   */
  async #discardWhenQuiet(): Promise<void> {
    const received = this.#received;
    await this.#channel.send('Runtime.getIsolateId');
    if (this.#pending === 0 && this.#received === received) await this.#channel.send('Runtime.discardConsoleEntries');
  }

  /**
   * Resolves once every message the program logged before now has been delivered: the event connection
   * answers a request only after the events it sent before it, then the formatting queue is waited for.
   * An entry's result is printed after this, so what the entry logged comes first.
   */
  async flush(): Promise<void> {
    if (!this.#off) return;
    await this.#channel.send('Runtime.getIsolateId').catch((err: unknown) => ignored('flushing console events', err));
    await this.#queue;
  }

  async #stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#channel.send('Runtime.disable').catch((err: unknown) => ignored('mirroring: disabling Runtime', err));
  }

  async #deliver(event: Protocol.Runtime.ConsoleAPICalledEvent): Promise<void> {
    const byColors = new Map<boolean, string>();
    for (const [listener, { colors, format }] of this.#listeners) {
      if (!format) {
        listener({ type: event.type, text: '', timestamp: event.timestamp });
        continue;
      }
      let text = byColors.get(colors);
      if (text === undefined) {
        text = await this.#format(event, colors);
        byColors.set(colors, text);
      }
      listener({ type: event.type, text, timestamp: event.timestamp });
    }
  }

  /** util.formatWithOptions in the target, so objects print as the program's console prints them. */
  async #format(event: Protocol.Runtime.ConsoleAPICalledEvent, colors: boolean): Promise<string> {
    const args = event.args.map(argumentOf);
    const described = (): string => event.args.map((a) => a.description ?? String(a.value)).join(' ');
    // The arguments may be released already (a discard of earlier messages crossed this one): the
    // message is shown from its descriptions then, not lost.
    const r = await this.#channel
      .send('Runtime.callFunctionOn', {
        executionContextId: event.executionContextId,
        functionDeclaration: `function (...args) { return globalThis[Symbol.for('anode.agent')]?.formatArgs(${colors}, args) ?? args.join(' '); }`,
        arguments: args,
        returnByValue: true,
      })
      .catch((err: unknown) => ignored('formatting a console message', err));
    return !r || r.exceptionDetails ? described() : String(r.result.value);
  }
}
