// `ainput` / `aprint` in an `-e` one-shot: there is no console, so its user is anode's own stdio. A
// question is asked on stderr and answered by the next line of anode's stdin (end of input there is end
// of input for ainput); aprint writes to stdout, in order with the results.
import { AbortedError, EndOfInputError } from '../errors.js';
import { readLine } from '../io/read-line.js';
import type { ConsoleIo } from '../session/console-io.js';

export function oneShotIo(write: (stream: 'stdout' | 'stderr', text: string) => void): ConsoleIo {
  return {
    async ask(prompt, signal) {
      if (prompt) write('stderr', prompt);
      const line = await readLine(process.stdin, signal);
      if (line !== undefined) return line;
      if (signal.aborted) throw new AbortedError(signal.reason);
      throw new EndOfInputError();
    },
    print(text) {
      write('stdout', text);
    },
  };
}
