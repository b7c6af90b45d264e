// anode's own one-line notices and errors, on stderr.
import { chalkStderr } from 'chalk';

/** A one-line notice from anode. */
export function say(message: string): void {
  process.stderr.write(`${chalkStderr.dim(`anode: ${message}`)}\n`);
}

/** A one-line error from anode. */
export function sayError(message: string): void {
  process.stderr.write(`${chalkStderr.red(`anode: ${message}`)}\n`);
}
