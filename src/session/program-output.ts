// Mirrors the program's console.* calls to consoles that ask for them (attach, where the program's
// stdout is not the user's terminal; or a served client). Runtime is enabled on the EVENT connection only,
// so the evaluation connection stays free of event traffic; messages logged before the subscription are
// not replayed as new, and the inspector's stored copies are discarded so the program keeps no extra memory.
import { formatWithOptions } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import type { Channel } from './channel.js';
import { argumentOf } from './remote-object.js';
import { ignored, ignoreFailure } from '../log/debug.js';

/** One console message of the program, formatted like its console would print it. */
export interface ProgramMessage {
  /** The console method (`log`, `error`, ...); `skipped` for anode's note of messages it did not show. */
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

/**
 * Most messages received and not yet shown. A program that logs faster than the consoles can show its
 * lines gets the ones past this counted instead (a `skipped` note says how many, where they were), so the
 * lag stays bounded and nothing is dropped silently.
 */
export const MAX_WAITING_MESSAGES = 2000;

/** The value of a remote object that crossed by value (a primitive), or `NOT_PRIMITIVE`. */
const NOT_PRIMITIVE = Symbol('not primitive');
function primitiveOf(o: Protocol.Runtime.RemoteObject): unknown {
  if (o.objectId) return NOT_PRIMITIVE;
  if (o.type === 'undefined') return undefined;
  if (o.unserializableValue !== undefined) {
    const u = o.unserializableValue;
    if (o.type === 'bigint' && /^-?\d+n$/.test(u)) return BigInt(u.slice(0, -1));
    if (u === '-0') return -0;
    if (u === 'NaN' || u === 'Infinity' || u === '-Infinity') return Number(u);
    return NOT_PRIMITIVE;
  }
  if (o.type === 'string' || o.type === 'number' || o.type === 'boolean' || (o.type === 'object' && o.subtype === 'null')) return o.value;
  return NOT_PRIMITIVE;
}

/**
 * Most lines a second anode mirrors. Every console call costs the program the inspector's work on it (tens
 * of microseconds on its main thread), so a program that logs faster has anode stop listening for
 * PAUSE_MS at a time (then says how many lines it did not show): the program keeps its speed.
 */
export const MIRROR_BUDGET_PER_S = 1000;
const PAUSE_MS = 1000;
/** How many messages the inspector keeps while nobody listens (V8's console message storage). */
const STORED_MESSAGES = 1000;
/** The last lines of a pause shown when the inspector could not keep them all (the latest are what matter). */
const TAIL_SHOWN = 20;

/** The lines the inspector replays when a pause ends (`until`: anode listens again from then). */
interface Replay {
  until: number;
  count: number;
  /** The last STORED_MESSAGES of them. */
  events: Protocol.Runtime.ConsoleAPICalledEvent[];
}

/**
 * How many lines were not shown during a pause, from the lines the inspector replayed when it ended (and
 * those still on their way when it began): exact, unless the inspector kept only its last STORED_MESSAGES
 * (then it is a lower bound: `atLeast`).
 */
export function notShownCount(replayed: number): { count: number; atLeast: boolean } {
  return { count: replayed, atLeast: replayed >= STORED_MESSAGES };
}

/**
 * A message's text formatted here, as the program's console would (the same util.format), when all its
 * arguments crossed by value (strings, numbers and the like: most log lines); undefined otherwise.
 */
export function localText(args: Protocol.Runtime.RemoteObject[], colors: boolean): string | undefined {
  const values = args.map(primitiveOf);
  return values.includes(NOT_PRIMITIVE) ? undefined : formatWithOptions({ colors }, ...values);
}

/** The note shown in place of `count` messages that were not (`atLeast`: there were more). */
export function skippedNote(count: number, atLeast = false): string {
  return `anode: ${atLeast ? 'at least ' : ''}${count} line${count === 1 ? '' : 's'} not shown: the program logged faster than anode shows its output without slowing it`;
}

export class ProgramOutput {
  readonly #channel: Channel;
  readonly #listeners = new Map<Listener, { colors: boolean; format: boolean }>();
  #off: (() => void) | undefined;
  #since = 0;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  /** Messages received so far (a discard waits until no new one came in). */
  #received = 0;
  /** Messages received but not shown since the last one that was (over MAX_WAITING_MESSAGES). */
  #notShown = 0;

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
    this.#window = { start: this.#since, count: 0 };
    this.#off = this.#channel.on('Runtime.consoleAPICalled', (event) => {
      if (REPORTED_AGAIN.has(event.type)) return;
      // Replayed by the Runtime.enable that ends a pause: the lines logged while anode did not listen.
      const replay = this.#replay;
      if (replay && event.timestamp < replay.until) {
        replay.count += 1;
        replay.events.push(event);
        if (replay.events.length > STORED_MESSAGES) replay.events.shift();
        return;
      }
      // Runtime.enable replays earlier messages: they are history, not news.
      if (event.timestamp < this.#since) return;
      this.#overBudget();
      this.#accept(event);
    });
    await this.#enable();
  }

  /** Shows `event` in its turn (or counts it, past MAX_WAITING_MESSAGES); `before`: a note of lines not shown before it. */
  #accept(event: Protocol.Runtime.ConsoleAPICalledEvent, before?: { count: number; atLeast: boolean }): void {
    this.#received += 1;
    if (this.#pending >= MAX_WAITING_MESSAGES) {
      this.#notShown += 1 + (before?.count ?? 0);
      return;
    }
    const skipped = this.#notShown;
    this.#notShown = 0;
    this.#pending += 1;
    // Formatted at once (a message of objects is formatted in the target: those round trips overlap),
    // shown in order.
    const texts = this.#textsOf(event);
    this.#queue = this.#queue
      .then(async () => {
        if (skipped > 0) this.#noteSkipped(skipped, event.timestamp);
        if (before) this.#noteSkipped(before.count, event.timestamp, before.atLeast);
        this.#deliver(event, await texts);
      })
      .catch((err: unknown) => ignored('showing a console message', err))
      .then(() => {
        this.#pending -= 1;
        if (this.#pending === 0) return this.#discardWhenQuiet();
      })
      .catch((err: unknown) => ignored('discarding console messages', err));
  }

  /** Runtime.enable, without the stack trace the inspector would capture for every console call (only the arguments are shown). */
  async #enable(): Promise<void> {
    await this.#channel.send('Runtime.enable').catch((err: unknown) => ignored('mirroring: enabling Runtime', err));
    await this.#channel
      .send('Runtime.setMaxCallStackSizeToCapture', { size: 0 })
      .catch((err: unknown) => ignored('mirroring: not capturing stack traces', err));
  }

  #window = { start: 0, count: 0 };
  #pause: { at: number; timer?: NodeJS.Timeout } | undefined;
  #replay: Replay | undefined;

  /** Counts a line against the budget; over it, stops listening for PAUSE_MS (the lines on their way are shown). */
  #overBudget(): void {
    const now = Date.now();
    if (now - this.#window.start >= 1000) this.#window = { start: now, count: 0 };
    this.#window.count += 1;
    if (this.#window.count <= MIRROR_BUDGET_PER_S || this.#pause || this.#replay) return;
    const pause: { at: number; timer?: NodeJS.Timeout } = { at: now };
    this.#pause = pause;
    // Disabled, then what the inspector kept so far discarded: what it keeps from now on is what was not shown.
    ignoreFailure(this.#channel.send('Runtime.disable'), 'mirroring: pausing');
    ignoreFailure(this.#channel.send('Runtime.discardConsoleEntries'), 'mirroring: pausing (discarding)');
    pause.timer = setTimeout(() => void this.#resume(pause), PAUSE_MS);
    pause.timer.unref?.();
  }

  async #resume(pause: { at: number }): Promise<void> {
    if (this.#pause !== pause || !this.#off || this.#replay) return;
    clearTimeout(this.#pause.timer);
    const replay: Replay = { until: Date.now(), count: 0, events: [] };
    this.#replay = replay;
    await this.#enable();
    this.#replay = undefined;
    this.#pause = undefined;
    this.#window = { start: Date.now(), count: 0 };
    // All of them, if the inspector kept them all; else a note of how many (at least) before the last few.
    const { count, atLeast } = notShownCount(replay.count);
    const shown = atLeast ? replay.events.slice(-TAIL_SHOWN) : replay.events;
    shown.forEach((event, i) => this.#accept(event, i === 0 && atLeast ? { count: count - shown.length, atLeast } : undefined));
  }

  #noteSkipped(count: number, timestamp: number, atLeast = false): void {
    for (const [listener, { format }] of this.#listeners) listener({ type: 'skipped', text: format ? skippedNote(count, atLeast) : '', timestamp });
  }

  /**
   * Discarding releases every message's arguments: only once none is waiting to be formatted, and none
   * is on its way (a round trip on the event connection brings any message sent before it first).
   */
  async #discardWhenQuiet(): Promise<void> {
    // While paused, what the inspector keeps is the count of the lines not shown.
    if (this.#pause) return;
    const received = this.#received;
    await this.#channel.send('Runtime.getIsolateId');
    if (this.#pending === 0 && this.#received === received) await this.#channel.send('Runtime.discardConsoleEntries');
  }

  /**
   * Resolves once every message the program logged before now has been delivered: the event connection
   * answers a request only after the events it sent before it, then the formatting queue is waited for.
   * An entry's result is printed after this, so what the entry logged comes first.
   *
   * `untilQuiet` (a console that is leaving): the inspector may answer in the middle of a burst of
   * console calls (it interrupts the program's JavaScript to dispatch a request), so round trips go on
   * until one brings no new message; the caller bounds how long a program that never stops logging is
   * waited for.
   */
  async flush(options: { untilQuiet?: boolean } = {}): Promise<void> {
    if (!this.#off) return;
    let received;
    do {
      received = this.#received;
      // Paused: listening again now tells how many lines were not shown meanwhile.
      if (this.#pause) await this.#resume(this.#pause);
      await this.#channel.send('Runtime.getIsolateId').catch((err: unknown) => ignored('flushing console events', err));
      await this.#queue;
    } while (options.untilQuiet && this.#received !== received);
    // Messages past the bound at the very end: said, not lost.
    if (this.#notShown > 0 && this.#pending === 0) {
      const count = this.#notShown;
      this.#notShown = 0;
      this.#noteSkipped(count, Date.now());
    }
  }

  async #stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    clearTimeout(this.#pause?.timer);
    this.#pause = undefined;
    this.#replay = undefined;
    await this.#channel.send('Runtime.disable').catch((err: unknown) => ignored('mirroring: disabling Runtime', err));
  }

  /** The message's text in each set of colours the listeners asked for. */
  async #textsOf(event: Protocol.Runtime.ConsoleAPICalledEvent): Promise<Map<boolean, string>> {
    const texts = new Map<boolean, string>();
    const wanted = new Set<boolean>();
    for (const { colors, format } of this.#listeners.values()) if (format) wanted.add(colors);
    await Promise.all(
      [...wanted].map(async (colors) => {
        // Most log lines are formatted here: no round trip, nothing run in the program.
        texts.set(colors, localText(event.args, colors) ?? (await this.#format(event, colors)));
      }),
    );
    return texts;
  }

  #deliver(event: Protocol.Runtime.ConsoleAPICalledEvent, texts: Map<boolean, string>): void {
    for (const [listener, { colors, format }] of this.#listeners) {
      listener({ type: event.type, text: format ? (texts.get(colors) ?? this.#described(event)) : '', timestamp: event.timestamp });
    }
  }

  #described(event: Protocol.Runtime.ConsoleAPICalledEvent): string {
    return event.args.map((a) => a.description ?? String(a.value)).join(' ');
  }

  /** util.formatWithOptions in the target, so objects print as the program's console prints them. */
  async #format(event: Protocol.Runtime.ConsoleAPICalledEvent, colors: boolean): Promise<string> {
    const args = event.args.map(argumentOf);
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
    return !r || r.exceptionDetails ? this.#described(event) : String(r.result.value);
  }
}
