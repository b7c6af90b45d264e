// anode's own one-line notices and errors, on stderr.
import type { Writable } from 'node:stream';
import { chalkStderr } from 'chalk';

let out: Writable = process.stderr;

/** Where notices go from now on (the terminal, when stderr is redirected). */
export function sayOn(stream: Writable): void {
  out = stream;
}

/** A one-line notice from anode. */
export function say(message: string): void {
  out.write(`${chalkStderr.dim(`anode: ${message}`)}\n`);
}

/** A one-line error from anode. */
export function sayError(message: string): void {
  out.write(`${chalkStderr.red(`anode: ${message}`)}\n`);
}
