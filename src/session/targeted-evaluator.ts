// One console's evaluator over all the targets of its program: an Evaluator per target it has entered
// (each with its own `_`, object group and entry names), and the one entries go to now. Entering a worker
// swaps the current Evaluator; the engine sees one LineEvaluator and never knows which thread runs the
// entry. A worker that exits under the console brings it back to the main thread, said in one line.
import { EventEmitter } from 'node:events';
import type { ConsoleTargets, EvalOutcome, LineEvaluator } from '../console/types.js';
import { isAnodeError, isTargetClosed } from '../errors.js';
import { Evaluator, type EvaluatorOptions } from './evaluator.js';
import type { EvalSession } from './session.js';
import { targetsOf, type ProgramTargets, type TargetId } from './targets.js';
import { formatWorkers } from './worker-table.js';

interface Current {
  id: TargetId;
  evaluator: Evaluator;
  /** The worker's file, for the notice on entering it. */
  file?: string | null;
}

export class TargetedEvaluator implements LineEvaluator {
  readonly #targets: ProgramTargets;
  readonly #options: EvaluatorOptions;
  readonly #main: Evaluator;
  readonly #workers = new Map<number, Evaluator>();
  readonly #notices = new EventEmitter();
  #current: Current;
  /** The target an entry of this console runs in now: its end is told by that entry's outcome. */
  #inFlight: TargetId | undefined;
  readonly #offEnded: () => void;

  constructor(session: EvalSession, options: EvaluatorOptions = {}) {
    this.#targets = targetsOf(session);
    this.#options = { ...options };
    this.#main = new Evaluator(session, options);
    this.#current = { id: 'main', evaluator: this.#main };
    this.#notices.setMaxListeners(0);
    this.#offEnded = this.#targets.onEnded(({ target }) => {
      if (target === 'main') return;
      this.#workers.delete(target);
      if (this.#current.id !== target) return;
      this.#current = { id: 'main', evaluator: this.#main };
      if (this.#inFlight !== target) this.#notices.emit('notice', exitedNotice(target));
    });
  }

  /** The session entries go to now (the main thread's, or a worker's). */
  get session(): EvalSession {
    return this.#current.evaluator.session;
  }

  get colors(): boolean {
    return this.#main.colors;
  }

  set colors(on: boolean) {
    this.#options.colors = on;
    this.#main.colors = on;
    for (const e of this.#workers.values()) e.colors = on;
  }

  readonly targets: ConsoleTargets = {
    where: () => (this.#current.id === 'main' ? '' : `worker ${this.#current.id}`),
    command: (name, arg) => this.#command(name, arg),
    onNotice: (listener) => {
      this.#notices.on('notice', listener);
      return () => this.#notices.off('notice', listener);
    },
  };

  /** Moves the console into worker `threadId` (or 'main'); throws NoSuchWorkerError and the like. */
  async enter(target: TargetId): Promise<void> {
    if (target === 'main') {
      this.#current = { id: 'main', evaluator: this.#main };
      return;
    }
    const session = await this.#targets.open(target);
    let evaluator = this.#workers.get(target);
    if (!evaluator || evaluator.session !== session) {
      evaluator = new Evaluator(session, this.#options);
      this.#workers.set(target, evaluator);
    }
    this.#current = { id: target, evaluator, file: session.info.mainFile ?? null };
  }

  async evaluate(code: string, options: { signal?: AbortSignal; notify?: (text: string) => void } = {}): Promise<EvalOutcome> {
    const current = this.#current;
    this.#inFlight = current.id;
    try {
      return await current.evaluator.evaluate(code, options);
    } catch (err) {
      // The worker went away under the entry; the program (main thread) is still there: back to it.
      if (current.id === 'main' || !isTargetClosed(err) || this.#targets.main.endedSignal.aborted) throw err;
      this.#workers.delete(current.id);
      if (this.#current === current) this.#current = { id: 'main', evaluator: this.#main };
      return { kind: 'error', text: exitedNotice(current.id) };
    } finally {
      this.#inFlight = undefined;
    }
  }

  complete(line: string): Promise<[string[], string]> {
    return this.#current.evaluator.complete(line);
  }

  preview(code: string, maxWidth: number): Promise<string | undefined> {
    return this.#current.evaluator.preview(code, maxWidth);
  }

  scope(file?: string): Promise<string> {
    return this.#current.evaluator.scope(file);
  }

  /** The program's console output (the main thread's console, which worker output passes through too). */
  watchOutput(listener: (text: string) => void): () => void {
    return this.#main.watchOutput(listener);
  }

  /** Forgets this console's `_` / `_error` in every target it entered. */
  async dispose(): Promise<void> {
    this.#offEnded();
    await Promise.all([this.#main.dispose(), ...[...this.#workers.values()].map((e) => e.dispose())]);
  }

  async #command(name: string, arg: string): Promise<string> {
    try {
      if (name === 'workers') {
        const here = this.#current.id;
        return formatWorkers(await this.#targets.workers(), here === 'main' ? undefined : here);
      }
      if (name === 'worker') return await this.#workerCommand(arg);
      return `anode: unknown target command .${name}`;
    } catch (err) {
      if (isAnodeError(err) && !isTargetClosed(err)) return `anode: ${err.message}`;
      if (isTargetClosed(err) && !this.#targets.main.endedSignal.aborted) return `anode: ${(err as Error).message}`;
      throw err;
    }
  }

  async #workerCommand(arg: string): Promise<string> {
    if (arg === '') {
      const where = this.#current.id === 'main' ? 'in the main thread' : `in worker ${this.#current.id}`;
      return `This console is ${where}. Usage: .worker ID (see .workers) | .worker main`;
    }
    if (arg === 'main') {
      if (this.#current.id === 'main') return 'This console is already in the main thread.';
      await this.enter('main');
      return 'Back in the main thread.';
    }
    if (!/^\d+$/.test(arg)) return `usage: .worker ID | .worker main (ID is a thread id from .workers, not '${arg}')`;
    const id = Number(arg);
    if (this.#current.id === id) return `This console is already in worker ${id}.`;
    await this.enter(id);
    const file = this.#current.file;
    return `Now in worker ${id}${file ? ` (${file})` : ''}: entries run in its thread; .worker main goes back.`;
  }
}

function exitedNotice(threadId: number): string {
  return `anode: worker ${threadId} exited; the console is back in the main thread`;
}
