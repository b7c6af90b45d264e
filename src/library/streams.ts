// ainput / aprint: promise-based line input and output over any streams (default: the current console's,
// else stdin/stdout). Unlike the original, a pending ainput can be cancelled with an AbortSignal.
import { writeDrained } from '../io/drain.js';
import type { Readable, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { AbortedError, EndOfInputError, OutputClosedError } from '../errors.js';
import { readLine } from '../io/read-line.js';
import { currentConsole } from './context.js';

export interface AinputOptions {
  input?: Readable;
  output?: Writable;
  signal?: AbortSignal;
}

/**
 * Writes `prompt`, reads one line and resolves with it (without its newline). Rejects with
 * EndOfInputError (code ANODE_EOF) at end of input, AbortedError (ANODE_ABORTED) when `signal` aborts.
 */
export async function ainput(prompt = '', options: AinputOptions = {}): Promise<string> {
  const { signal } = options;
  if (signal?.aborted) throw new AbortedError(signal.reason);
  const console = currentConsole();
  if (console && options.input === undefined) {
    if (options.output !== undefined && prompt !== '') await writeDrained(options.output, prompt);
    return console.ask(options.output === undefined ? prompt : '', signal);
  }
  const input = options.input ?? process.stdin;
  const output = options.output ?? console?.output ?? process.stdout;
  if (prompt !== '') await writeDrained(output, prompt);
  const line = await readLine(input, signal);
  if (signal?.aborted) throw new AbortedError(signal.reason);
  if (line === undefined) throw new EndOfInputError();
  return line;
}

export interface AprintOptions {
  output?: Writable;
  /** Between values (default a space). */
  sep?: string;
  /** After the last value (default a newline). */
  end?: string;
}

/** Prints values like Python's print (strings as they are, the rest through util.inspect); waits for drain. */
export async function aprint(...args: unknown[]): Promise<void> {
  const last = args[args.length - 1];
  const options: AprintOptions = isOptions(last) ? (args.pop() as AprintOptions) : {};
  const output = options.output ?? currentConsole()?.output ?? process.stdout;
  const text = args.map((v) => (typeof v === 'string' ? v : inspect(v))).join(options.sep ?? ' ') + (options.end ?? '\n');
  if (output.destroyed || output.writableEnded) throw new OutputClosedError();
  await new Promise<void>((resolve, reject) => {
    output.write(text, (err) => (err ? reject(new OutputClosedError(err)) : resolve()));
  });
}

/** An options bag as aprint's last argument: a plain object with only output/sep/end keys. */
function isOptions(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k === 'output' || k === 'sep' || k === 'end');
}

