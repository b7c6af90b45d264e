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
    evaluate: (code, options) => runInConsole(context(), () => evaluator.evaluate(code, options)),
    complete: evaluator.complete?.bind(evaluator),
    watchOutput: evaluator.watchOutput?.bind(evaluator),
    scope: evaluator.scope?.bind(evaluator),
    preview: evaluator.preview?.bind(evaluator),
    inspection: evaluator.inspection?.bind(evaluator),
  };
}
