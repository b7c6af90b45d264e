// A console engine as the user `ainput` / `aprint` reach (the console bindings, src/session/console-io.ts):
// questions are read through the engine's own line reader, text is printed above its prompt.
import type { ConsoleIo } from '../session/console-io.js';
import type { ConsoleEngine } from './engine.js';

export function engineIo(engine: Pick<ConsoleEngine, 'ask' | 'printAbove'>): ConsoleIo {
  return {
    ask: (prompt, signal) => engine.ask(prompt, signal),
    print: (text) => engine.printAbove(text),
  };
}
