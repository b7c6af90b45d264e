// The targets of one program connection, the way a Puppeteer Connection holds its CDP sessions: the main
// thread (the session anode opened) and each worker thread, reached through the NodeWorker domain of the
// same two connections (evaluation and events, see session.ts). A worker's session is the ordinary
// EvalSession over that worker's Channels, opened the first time a console enters it and shared by every
// console after. Every target's end is the same event: { target, reason }.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NoSuchWorkerError, WorkersUnavailableError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { EvalSession } from './session.js';
import { WorkerLink, type WorkerInfo } from './worker-channel.js';

/** Which target: the main thread, or a worker by its threadId. */
export type TargetId = 'main' | number;

/** A target's end: the program finished, a worker exited, the connection dropped. */
export interface TargetEnd {
  target: TargetId;
  reason: string;
}

/** A worker thread as `.workers` lists it. */
export interface WorkerSummary {
  threadId: number;
  /** The file it runs, or undefined for a worker started from a string. */
  file: string | undefined;
  title: string;
  /** When it started (ms since the epoch), if the worker answered. */
  since: number | undefined;
  /** Its workerData, shortly inspected (undefined: none, or it did not answer). */
  data: string | undefined;
  /** False when the worker did not answer in time (busy in its own code). */
  answered: boolean;
}

/** How long a worker may take to say when it started and what its workerData is. */
const DESCRIBE_WAIT_MS = 1000;
/** How long `.worker ID` waits for a worker the inspector has not reported yet (it is just starting). */
const ATTACH_WAIT_MS = 500;

/**
 * Runs in a worker: when it started, its workerData in short. Node's built-ins come from
 * process.getBuiltinModule, not the command-line API's require: an evaluate with the command-line API can
 * crash Node 20 when it meets a thread that is ending (see the agent's installation).
 */
const DESCRIBE_WORKER = `(() => {
  const builtin = process.getBuiltinModule;
  const { workerData } = builtin('node:worker_threads');
  const data = workerData === undefined ? undefined : builtin('node:util').inspect(workerData, { depth: 1, breakLength: Infinity, maxArrayLength: 4, maxStringLength: 40, showProxy: true });
  return { since: performance.timeOrigin, data };
})()`;

interface Links {
  events: WorkerLink;
  evals: WorkerLink;
}

const byMain = new WeakMap<EvalSession, ProgramTargets>();

/** The targets of the connection `main` was opened on (one set per session, shared by its consoles). */
export function targetsOf(main: EvalSession): ProgramTargets {
  let targets = byMain.get(main);
  if (!targets) {
    targets = new ProgramTargets(main);
    byMain.set(main, targets);
  }
  return targets;
}

export class ProgramTargets {
  readonly main: EvalSession;
  readonly #ends = new EventEmitter();
  readonly #sessions = new Map<number, Promise<EvalSession>>();
  #links: Promise<Links> | undefined;

  constructor(main: EvalSession) {
    this.main = main;
    this.#ends.setMaxListeners(0);
    void main.ended.then((reason) => this.#ended({ target: 'main', reason }));
  }

  /** Calls `listener` once for each target that ends from now on; returns unsubscribe. */
  onEnded(listener: (end: TargetEnd) => void): () => void {
    this.#ends.on('ended', listener);
    return () => this.#ends.off('ended', listener);
  }

  /** The program's worker threads now, each with when it started and its workerData. */
  async workers(): Promise<WorkerSummary[]> {
    const { events } = await this.#linked();
    return Promise.all(events.workers().map((info) => this.#describe(events, info)));
  }

  /** The session of worker `threadId` (opened on first use, then shared). */
  open(threadId: number): Promise<EvalSession> {
    const known = this.#sessions.get(threadId);
    if (known) return known;
    const opening = this.#openWorker(threadId);
    this.#sessions.set(threadId, opening);
    opening.then(
      (session) =>
        void session.ended.then((reason) => {
          this.#sessions.delete(threadId);
          this.#ended({ target: threadId, reason });
        }),
      () => this.#sessions.delete(threadId),
    );
    return opening;
  }

  async #openWorker(threadId: number): Promise<EvalSession> {
    const { events, evals } = await this.#linked();
    const [eventChannel, evalChannel] = await Promise.all([attached(events, threadId), attached(evals, threadId)]);
    if (!eventChannel || !evalChannel) throw new NoSuchWorkerError(threadId, events.workers().map((w) => w.threadId));
    const file = eventChannel.info.url.startsWith('file:') ? fileURLToPath(eventChannel.info.url) : null;
    return EvalSession.open(evalChannel, eventChannel, { worker: { file } });
  }

  #ended(end: TargetEnd): void {
    this.#ends.emit('ended', end);
  }

  /** Enables NodeWorker on both connections of the main session, once. */
  #linked(): Promise<Links> {
    this.#links ??= (async () => {
      try {
        const [events, evals] = await Promise.all([WorkerLink.open(this.main.eventChannel), WorkerLink.open(this.main.evalChannel)]);
        return { events, evals };
      } catch (err) {
        this.#links = undefined;
        throw new WorkersUnavailableError(err);
      }
    })();
    return this.#links;
  }

  async #describe(link: WorkerLink, info: WorkerInfo): Promise<WorkerSummary> {
    const file = info.url.startsWith('file:') ? fileURLToPath(info.url) : undefined;
    const base = { threadId: info.threadId, file, title: info.title };
    const channel = link.channel(info.threadId);
    let timer: NodeJS.Timeout | undefined;
    try {
      const asked = channel!.send('Runtime.evaluate', { expression: DESCRIBE_WORKER, returnByValue: true, timeout: 500 });
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, DESCRIBE_WAIT_MS, undefined)));
      const r = await Promise.race([asked, late]);
      asked.catch((err: unknown) => ignored('describing a worker', err));
      if (!r || r.exceptionDetails) return { ...base, since: undefined, data: undefined, answered: false };
      const value = r.result.value as { since: number; data?: string };
      return { ...base, since: value.since, data: value.data, answered: true };
    } catch (err) {
      ignored(`describing worker ${info.threadId}`, err);
      return { ...base, since: undefined, data: undefined, answered: false };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Worker `threadId`'s channel on `link`, waiting a moment for a worker that is just starting. */
async function attached(link: WorkerLink, threadId: number): Promise<ReturnType<WorkerLink['channel']>> {
  const now = link.channel(threadId);
  if (now) return now;
  let off = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise((resolve) => {
      off = link.onAttached((info) => {
        if (info.threadId === threadId) resolve(link.channel(threadId));
      });
      timer = setTimeout(() => resolve(link.channel(threadId)), ATTACH_WAIT_MS);
    });
  } finally {
    off();
    clearTimeout(timer);
  }
}
