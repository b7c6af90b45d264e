// One console's evaluator over all the targets it can reach: the threads of its program (an Evaluator per
// target it has entered, each with its own `_`, object group and entry names) and, one level down, the
// child processes it attached to (`.attach PID`, back with `.detach`). Entering a target swaps the current
// Evaluator; the engine sees one LineEvaluator and never knows which thread or process runs the entry. A
// worker or child process that ends under the console brings it back one step, said in one line.
import { EventEmitter } from 'node:events';
import type { ConsoleTargets, EvalOutcome, LineEvaluator } from '../console/types.js';
import { isAnodeError, isTargetClosed } from '../errors.js';
import { ignoreFailure } from '../log/debug.js';
import { Evaluator, type EvaluateOptions, type EvaluatorOptions } from './evaluator.js';
import type { EvalSession } from './session.js';
import { targetsOf, type ProgramTargets, type TargetId } from './targets.js';
import { formatChildren, formatWorkers, type ChildProcessEntry } from './worker-table.js';

/** How a console reaches other processes of the machine (given by the front end; src/program does the work). */
export interface ProcessReach {
  /** The Node.js child processes of `pid`. */
  children(pid: number): Promise<ChildProcessEntry[]>;
  /** Attaches to `pid` (verified as that process); `leave` detaches as `anode attach` does. */
  attach(pid: number): Promise<{ session: EvalSession; leave(): Promise<void> }>;
}

export interface TargetedEvaluatorOptions extends EvaluatorOptions {
  processes?: ProcessReach;
}

interface Current {
  id: TargetId;
  evaluator: Evaluator;
  /** The worker's file, for the notice on entering it. */
  file?: string | null;
}

/** One process the console is in: its targets, its evaluators, the thread entries go to. */
interface Level {
  pid: number;
  targets: ProgramTargets;
  main: Evaluator;
  workers: Map<number, Evaluator>;
  current: Current;
  offEnded: () => void;
  /** Leaves the process as it was (levels opened by `.attach`). */
  leave?: () => Promise<void>;
}

export class TargetedEvaluator implements LineEvaluator {
  readonly #options: EvaluatorOptions;
  readonly #processes: ProcessReach | undefined;
  readonly #levels: Level[] = [];
  readonly #notices = new EventEmitter();
  /** The target an entry of this console runs in now: its end is told by that entry's outcome. */
  #inFlight: { level: Level; id: TargetId } | undefined;
  /** Whether the last entry ran in the program (any of its threads), not in a process entered with `.attach`. */
  #lastInProgram = true;

  constructor(session: EvalSession, options: TargetedEvaluatorOptions = {}) {
    const { processes, ...evaluatorOptions } = options;
    this.#options = evaluatorOptions;
    this.#processes = processes;
    this.#notices.setMaxListeners(0);
    this.#levels.push(this.#level(session));
  }

  get #top(): Level {
    return this.#levels[this.#levels.length - 1]!;
  }

  /** The session entries go to now (a thread of the program, or of a process attached with `.attach`). */
  get session(): EvalSession {
    return this.#top.current.evaluator.session;
  }

  get colors(): boolean {
    return this.#levels[0]!.main.colors;
  }

  set colors(on: boolean) {
    this.#options.colors = on;
    for (const level of this.#levels) {
      level.main.colors = on;
      for (const e of level.workers.values()) e.colors = on;
    }
  }

  readonly targets: ConsoleTargets = {
    where: () => this.#where(),
    command: (name, arg) => this.#command(name, arg),
    onNotice: (listener) => {
      this.#notices.on('notice', listener);
      return () => this.#notices.off('notice', listener);
    },
  };

  /** Moves the console into worker `threadId` (or 'main') of the process it is in; throws NoSuchWorkerError and the like. */
  async enter(target: TargetId): Promise<void> {
    const level = this.#top;
    if (target === 'main') {
      level.current = { id: 'main', evaluator: level.main };
      return;
    }
    const session = await level.targets.open(target);
    let evaluator = level.workers.get(target);
    if (!evaluator || evaluator.session !== session) {
      evaluator = new Evaluator(session, this.#options);
      level.workers.set(target, evaluator);
    }
    level.current = { id: target, evaluator, file: session.info.mainFile ?? null };
  }

  async evaluate(code: string, options: EvaluateOptions = {}): Promise<EvalOutcome> {
    const level = this.#top;
    const current = level.current;
    this.#inFlight = { level, id: current.id };
    this.#lastInProgram = level === this.#levels[0];
    try {
      return await current.evaluator.evaluate(code, options);
    } catch (err) {
      if (!isTargetClosed(err)) throw err;
      const processGone = level.targets.main.endedSignal.aborted;
      if (processGone && level === this.#levels[0]) throw err;
      // A worker (or an attached child process) went away under the entry: back one step.
      if (processGone) return { kind: 'error', text: this.#pop(level) };
      level.workers.delete(current.id as number);
      if (level.current === current) level.current = { id: 'main', evaluator: level.main };
      return { kind: 'error', text: this.#workerExited(level, current.id as number) };
    } finally {
      this.#inFlight = undefined;
    }
  }

  complete(line: string): Promise<[string[], string]> {
    return this.#top.current.evaluator.complete(line);
  }

  preview(code: string, maxWidth: number): Promise<string | undefined> {
    return this.#top.current.evaluator.preview(code, maxWidth);
  }

  scope(file?: string): Promise<string> {
    return this.#top.current.evaluator.scope(file);
  }

  /** The program's console output (its main thread's console, which worker output passes through too). */
  watchOutput(listener: (text: string) => void): () => void {
    return this.#levels[0]!.main.watchOutput(listener);
  }

  /** Resolves once the program's output logged so far has reached watchOutput's listeners. */
  settleOutput(options: { leaving?: boolean } = {}): Promise<void> {
    // An entry in an attached process logged nothing the program's output watch carries: no round trip to
    // the program (which may be ending, as a parent whose forked child just exited does).
    if (!this.#lastInProgram && options.leaving !== true) return Promise.resolve();
    return this.#levels[0]!.main.settleOutput(options);
  }

  /** What `.loop`, `.profile` and `.heap` inspect: the process the console is in now. */
  inspection(): { session: EvalSession; colors: boolean } {
    return this.#top.main.inspection();
  }

  /** Leaves every process entered with `.attach` (closing the inspectors anode opened there). */
  async leaveAll(): Promise<void> {
    while (this.#levels.length > 1) {
      const level = this.#levels.pop()!;
      level.offEnded();
      await closeIo(level);
      await level.leave?.();
    }
  }

  /** The console ends: its `ainput` questions in every target end (end of input), and it leaves what it attached to. */
  async finish(): Promise<void> {
    await this.leaveAll();
    await closeIo(this.#levels[0]!);
  }

  /** Forgets this console's `_` / `_error` in every target it entered, and leaves attached processes. */
  async dispose(): Promise<void> {
    await this.leaveAll();
    const level = this.#levels[0]!;
    level.offEnded();
    await Promise.all([level.main.dispose(), ...[...level.workers.values()].map((e) => e.dispose())]);
  }

  #level(session: EvalSession, leave?: () => Promise<void>): Level {
    const main = new Evaluator(session, this.#options);
    const targets = targetsOf(session);
    const level: Level = { pid: session.info.pid, targets, main, workers: new Map(), current: { id: 'main', evaluator: main }, offEnded: () => {} };
    if (leave) level.leave = leave;
    level.offEnded = targets.onEnded(({ target }) => {
      const inFlight = this.#inFlight?.level === level && this.#inFlight.id === target;
      if (target === 'main') {
        // An attached child process ended by itself (the program's own end is its front end's business).
        if (level !== this.#levels[0] && this.#levels.includes(level) && !inFlight) this.#notices.emit('notice', this.#pop(level));
        return;
      }
      level.workers.delete(target);
      if (level.current.id !== target) return;
      level.current = { id: 'main', evaluator: level.main };
      if (!inFlight) this.#notices.emit('notice', this.#workerExited(level, target));
    });
    return level;
  }

  /** Drops `level` (its process is gone) and those above it; the notice to give. */
  #pop(level: Level): string {
    const at = this.#levels.indexOf(level);
    if (at <= 0) return '';
    for (const gone of this.#levels.splice(at)) {
      gone.offEnded();
      // Its connections are closed; an inspector anode opened there went with the process.
      if (gone.leave) ignoreFailure(gone.leave(), 'leaving a process that is gone');
    }
    return `anode: process ${level.pid} exited; the console is back in ${this.#place()}`;
  }

  #workerExited(level: Level, threadId: number): string {
    const where = this.#levels.length > 1 ? `pid ${level.pid} worker ${threadId}` : `worker ${threadId}`;
    return `anode: ${where} exited; the console is back in ${this.#place()}`;
  }

  /** Where the console is, in words: `the main thread`, `worker 2`, `pid 123 (its main thread)`. */
  #place(): string {
    const level = this.#top;
    const thread = level.current.id === 'main' ? 'the main thread' : `worker ${level.current.id}`;
    return this.#levels.length > 1 ? `pid ${level.pid} (${thread === 'the main thread' ? 'its main thread' : thread})` : thread;
  }

  /** For the prompt: '' in the program's main thread, `worker 2`, `pid 123`, `pid 123 worker 2`. */
  #where(): string {
    const level = this.#top;
    const parts = this.#levels.length > 1 ? [`pid ${level.pid}`] : [];
    if (level.current.id !== 'main') parts.push(`worker ${level.current.id}`);
    return parts.join(' ');
  }

  async #command(name: string, arg: string): Promise<string> {
    try {
      switch (name) {
        case 'workers': {
          const here = this.#top.current.id;
          return formatWorkers(await this.#top.targets.workers(), here === 'main' ? undefined : here);
        }
        case 'worker':
          return await this.#workerCommand(arg);
        case 'children':
          if (!this.#processes) return 'this console cannot list child processes';
          return formatChildren(await this.#processes.children(this.#top.pid), this.#top.pid);
        case 'attach':
          return await this.#attach(arg);
        case 'detach':
          return await this.#detach();
        default:
          return `anode: unknown target command .${name}`;
      }
    } catch (err) {
      if (isAnodeError(err) && !isTargetClosed(err)) return `anode: ${err.message}`;
      if (isTargetClosed(err) && !this.#levels[0]!.targets.main.endedSignal.aborted) return `anode: ${(err as Error).message}`;
      throw err;
    }
  }

  async #workerCommand(arg: string): Promise<string> {
    const level = this.#top;
    if (arg === '') return `This console is in ${this.#place()}. Usage: .worker ID (see .workers) | .worker main`;
    if (arg === 'main') {
      if (level.current.id === 'main') return `This console is already in ${this.#place()}.`;
      await this.enter('main');
      return `Back in ${this.#place()}.`;
    }
    if (!/^\d+$/.test(arg)) return `usage: .worker ID | .worker main (ID is a thread id from .workers, not '${arg}')`;
    const id = Number(arg);
    if (level.current.id === id) return `This console is already in worker ${id}.`;
    await this.enter(id);
    const file = level.current.file;
    return `Now in worker ${id}${file ? ` (${file})` : ''}: entries run in its thread; .worker main goes back.`;
  }

  async #attach(arg: string): Promise<string> {
    if (!this.#processes) return 'this console cannot attach to other processes';
    if (!/^\d+$/.test(arg)) return 'usage: .attach PID (a child process from .children)';
    const pid = Number(arg);
    if (this.#levels.some((l) => l.pid === pid)) return `This console is already in pid ${pid}.`;
    const { session, leave } = await this.#processes.attach(pid);
    this.#levels.push(this.#level(session, leave));
    return `Now in pid ${pid} (${session.info.mainFile ?? session.info.argv.join(' ')}): .detach goes back, closing an inspector anode opened there.`;
  }

  async #detach(): Promise<string> {
    if (this.#levels.length === 1) return 'This console is in the program it started in: nothing to detach (.exit leaves).';
    const level = this.#levels.pop()!;
    level.offEnded();
    await closeIo(level);
    await level.leave?.();
    return `Detached from pid ${level.pid}; back in ${this.#place()}.`;
  }
}

/** Ends the console's `ainput` / `aprint` in each thread of `level`. */
async function closeIo(level: Level): Promise<void> {
  await Promise.all([level.main.closeIo(), ...[...level.workers.values()].map((e) => e.closeIo())]);
}
