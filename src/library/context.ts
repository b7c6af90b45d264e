// Which console an evaluation belongs to: set around each entry a library console (interact, a served
// client, an AsyncCli handler) runs, so ainput/aprint called from that code use that console's streams.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';
import type { LineEvaluator } from '../console/types.js';

/** The streams of the console running the current code. */
export interface ConsoleContext {
  output: Writable;
  /** Reads one line from the console's input (through its line reader, so nothing is read twice). */
  ask(prompt: string, signal?: AbortSignal): Promise<string>;
}

// One store per process, even if anode is loaded twice (two copies in node_modules, a test runner's
// module graph beside Node's): code in a console finds its console whichever copy it imported.
const KEY = Symbol.for('anode.console-context');
const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<ConsoleContext> | undefined>;
const current = (g[KEY] ??= new AsyncLocalStorage<ConsoleContext>());

// Contexts handed to entries (see contextEntry): the entry takes its own out by number.
const HANDOFF = Symbol.for('anode.console-context.handoff');
interface Handoff {
  next: number;
  waiting: Map<number, ConsoleContext>;
  enter(id: number): void;
}
const handoff = ((g as unknown as Record<symbol, Handoff | undefined>)[HANDOFF] ??= {
  next: 0,
  waiting: new Map(),
  enter(id: number): void {
    const context = this.waiting.get(id);
    this.waiting.delete(id);
    if (context) current.enterWith(context);
  },
});

/**
 * Carries the console's async context into one entry it evaluates in this process. When the inspector
 * runs the entry from a worker thread's session (on the releases where an in-process session would
 * abort, see session/collected-promise-abort.ts), it runs outside the caller's async context; the entry
 * then enters it itself before its first await (SourceOptions.before). Returns the expression and the
 * function that forgets it if the entry never ran.
 */
export function contextEntry(context: ConsoleContext | undefined = currentConsole()): { before: string; forget(): void } | undefined {
  if (!context) return undefined;
  const id = ++handoff.next;
  handoff.waiting.set(id, context);
  return { before: `globalThis[Symbol.for('anode.console-context.handoff')].enter(${id})`, forget: () => handoff.waiting.delete(id) };
}

/** The console running the current code, if any. */
export function currentConsole(): ConsoleContext | undefined {
  return current.getStore();
}

/** Runs `fn` as code of the console `context`. */
export function runInConsole<T>(context: ConsoleContext, fn: () => T): T {
  return current.run(context, fn);
}

/** An evaluator whose entries run as code of the console `context()` returns; everything else it does is kept. */
export function evaluatorIn(evaluator: LineEvaluator, context: () => ConsoleContext): LineEvaluator {
  return {
    evaluate: async (code, options) => {
      const console = context();
      const entry = contextEntry(console)!;
      try {
        return await runInConsole(console, () => evaluator.evaluate(code, { ...options, before: entry.before }));
      } finally {
        entry.forget();
      }
    },
    complete: evaluator.complete?.bind(evaluator),
    watchOutput: evaluator.watchOutput?.bind(evaluator),
    scope: evaluator.scope?.bind(evaluator),
    preview: evaluator.preview?.bind(evaluator),
    inspection: evaluator.inspection?.bind(evaluator),
  };
}
