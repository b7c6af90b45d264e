// anode's side of the console bindings `ainput` / `aprint` (agent-io.ts is the target's): one link per
// console per target. Entries of the console that name them call their console's own functions (the
// evaluator routes the names there, as it routes built-in module names), so two consoles on one program
// never get each other's questions. Once an entry has used them, the link keeps ONE long poll open in the
// target (`io.next`), hands each question to the console's user (answered with a small evaluation) and
// each aprint to its output (the next poll is its answer: one message each way per aprint). Consoles that never name them cost nothing. Closing the link ends its questions
// in the program (end of input) and its poll.
import { randomBytes } from 'node:crypto';
import { EndOfInputError, isPromiseCollected } from '../errors.js';
import { ignored } from '../log/debug.js';
import { AGENT_REF } from './agent.js';
import type { EvalSession } from './session.js';

/** The bindings' names (declared only where free, like the other console bindings). */
export const CONSOLE_IO_NAMES = ['ainput', 'aprint'] as const;
export type ConsoleIoName = (typeof CONSOLE_IO_NAMES)[number];

/** How a console's user is reached: given by the front end (the terminal, a served client). */
export interface ConsoleIo {
  /** Reads one line from the user; rejects with EndOfInputError at end of input, AbortedError when `signal` aborts. */
  ask(prompt: string, signal: AbortSignal): Promise<string>;
  /** Shows `text` (it ends with its newline) on this console's output. */
  print(text: string): void | Promise<void>;
}

/** How long closing waits for the program to confirm (a stopped program never answers). */
const CLOSE_WAIT_MS = 1000;

interface Request {
  seq: number;
  kind: 'input' | 'print';
  prompt?: string;
  text?: string;
}

let links = 0;

export class ConsoleIoLink {
  readonly #session: EvalSession;
  readonly #io: () => ConsoleIo | undefined;
  readonly #token = JSON.stringify(`${process.pid}.${++links}.${randomBytes(6).toString('hex')}`);
  #colors: () => boolean;
  #started = false;
  #closed = false;
  /** The last request received: the next poll says so (a lost reply is handed over again). */
  #seen = 0;
  /** Questions up to this one were cancelled in the target: one still on its way is not asked. */
  #cancelledUpTo = 0;
  /** Questions asked or waiting their turn, by request number. */
  readonly #asking = new Map<number, AbortController>();
  #questions: Promise<void> = Promise.resolve();

  constructor(session: EvalSession, io: () => ConsoleIo | undefined, colors: () => boolean) {
    this.#session = session;
    this.#io = io;
    this.#colors = colors;
  }

  /** The statement an entry that uses the bindings begins with. */
  prelude(): string {
    return `${AGENT_REF}.io.open(${this.#token}, ${this.#colors()});`;
  }

  /** What the entry's references to the names are routed through (`<via>ainput`). */
  get via(): string {
    return `${AGENT_REF}.io.of(${this.#token}).`;
  }

  /** Starts the long poll (once). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#poll();
  }

  /**
   * The console's entry ended: questions still waiting are cancelled, here and in the target (the
   * console prompts for entries again; a later line is code, not an answer).
   */
  entryEnded(interrupted: boolean): void {
    if (!this.#started || this.#closed) return;
    const message = interrupted ? 'ainput: cancelled (the entry was interrupted)' : 'ainput: cancelled (the entry that asked has finished)';
    for (const controller of this.#asking.values()) controller.abort(message);
    void this.#eval<number>(`${AGENT_REF}.io.cancel(${this.#token}, ${JSON.stringify(message)})`).then((upTo) => {
      if (typeof upTo !== 'number') return;
      this.#cancelledUpTo = Math.max(this.#cancelledUpTo, upTo);
      for (const [seq, controller] of this.#asking) if (seq <= upTo) controller.abort(message);
    });
  }

  /** The console left: its questions in the program end (end of input), its poll ends. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const controller of this.#asking.values()) controller.abort('the console closed');
    this.#asking.clear();
    if (!this.#started || this.#session.endedSignal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([this.#eval(`${AGENT_REF}.io.close(${this.#token})`), late]);
    clearTimeout(timer);
  }

  async #poll(): Promise<void> {
    let failures = 0;
    while (!this.#closed && !this.#session.endedSignal.aborted) {
      let requests: Request[] | null;
      try {
        requests = await this.#next();
      } catch (err) {
        if (isPromiseCollected(err)) continue;
        if (this.#closed || this.#session.endedSignal.aborted) return;
        // Any other failure (a reply lost, a busy target) must not leave the console's questions
        // unanswered for good: the poll is sent again, a little later each time.
        ignored('waiting for ainput/aprint requests (polling again)', err);
        failures += 1;
        await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** failures)).unref());
        continue;
      }
      failures = 0;
      if (requests === null) return;
      const shown: Array<void | Promise<void>> = [];
      for (const request of requests) {
        if (request.seq <= this.#seen) continue;
        this.#seen = request.seq;
        if (request.kind === 'print') shown.push(this.#print(request.text ?? ''));
        else this.#ask(request.seq, request.prompt ?? '');
      }
      // The next poll tells the target they are shown: it is their answer.
      await Promise.all(shown);
    }
  }

  /** One long poll: the requests after #seen, once there is one (null: the console closed in the target). */
  async #next(): Promise<Request[] | null> {
    const r = await this.#session.evalChannel.send('Runtime.evaluate', {
      expression: `${AGENT_REF}.io.next(${this.#token}, ${this.#seen}, ${this.#colors()})`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as Request[] | null;
  }

  #print(text: string): void | Promise<void> {
    try {
      return Promise.resolve(this.#io()?.print(text)).catch((err: unknown) => ignored('showing an aprint', err));
    } catch (err) {
      return ignored('showing an aprint', err);
    }
  }

  /** Asks one question after another, in order (the console reads one line at a time). */
  #ask(seq: number, prompt: string): void {
    const controller = new AbortController();
    this.#asking.set(seq, controller);
    const asked = this.#questions.then(() => this.#askNow(seq, prompt, controller));
    this.#questions = asked.finally(() => this.#asking.delete(seq));
  }

  async #askNow(seq: number, prompt: string, controller: AbortController): Promise<void> {
    const reason = (): string => (typeof controller.signal.reason === 'string' ? controller.signal.reason : 'ainput: cancelled');
    if (controller.signal.aborted || seq <= this.#cancelledUpTo) return this.#fail(seq, 'ANODE_ABORTED', reason());
    const io = this.#io();
    if (!io) return this.#fail(seq, 'ANODE_EOF', 'ainput: end of input (this console has no user to ask)');
    try {
      this.#answer(seq, await io.ask(prompt, controller.signal));
    } catch (err) {
      if (controller.signal.aborted) return this.#fail(seq, 'ANODE_ABORTED', reason());
      if (!(err instanceof EndOfInputError)) ignored('asking the user for ainput', err);
      this.#fail(seq, 'ANODE_EOF', 'ainput: end of input');
    }
  }

  #answer(seq: number, line?: string): void {
    if (this.#closed) return;
    const args = line === undefined ? `${seq}` : `${seq}, ${JSON.stringify(line)}`;
    void this.#eval(`${AGENT_REF}.io.answer(${this.#token}, ${args})`);
  }

  #fail(seq: number, code: 'ANODE_EOF' | 'ANODE_ABORTED', message: string): void {
    if (this.#closed) return;
    void this.#eval(`${AGENT_REF}.io.fail(${this.#token}, ${seq}, ${JSON.stringify(code)}, ${JSON.stringify(message)})`);
  }

  /** A small evaluation in the target (its value); a failure is only logged. */
  async #eval<T>(expression: string): Promise<T | undefined> {
    try {
      const r = await this.#session.evalChannel.send('Runtime.evaluate', { expression, returnByValue: true });
      return r.exceptionDetails ? undefined : (r.result.value as T);
    } catch (err) {
      if (!this.#session.endedSignal.aborted) ignored('answering ainput/aprint', err);
      return undefined;
    }
  }
}
