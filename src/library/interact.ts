// interact(): a console over any pair of streams, evaluating in THIS process with the same engine,
// semantics and formatting as `anode run`.
import type { Readable, Writable } from 'node:stream';
import { ConsoleEngine } from '../console/engine.js';
import { AbortedError } from '../errors.js';
import type { ConsoleEnd } from '../console/types.js';
import { Evaluator } from '../session/evaluator.js';
import { evaluatorIn } from './context.js';
import { localSession } from './local.js';

export interface InteractOptions {
  input?: Readable;
  output?: Writable;
  /** Shown first (default: a line naming this process). Pass '' for none. */
  banner?: string;
  prompt?: string;
  /** ANSI colours in results (default: when output is a colour terminal). */
  colors?: boolean;
  /** Line editing and Ctrl+C keys (default: when both streams are terminals). */
  terminal?: boolean;
  /** Aborting it ends the console (the promise rejects with AbortedError). */
  signal?: AbortSignal;
}

/** The banner of an in-process console. */
export function localBanner(): string {
  return `anode: console into this process (pid ${process.pid}, Node ${process.version}). Top-level await works; .help for more.`;
}

/** Runs a console until the input ends or `.exit`; resolves with why it ended (rejects when `signal` aborts). */
export async function interact(options: InteractOptions = {}): Promise<ConsoleEnd> {
  const { signal } = options;
  if (signal?.aborted) throw new AbortedError(signal.reason);
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const tty = (input as { isTTY?: boolean }).isTTY === true && (output as { isTTY?: boolean }).isTTY === true;
  const session = await localSession();
  const evaluator = new Evaluator(session, { colors: options.colors ?? (tty && (output as { hasColors?: () => boolean }).hasColors?.() === true) });
  let engine: ConsoleEngine | undefined;
  engine = new ConsoleEngine({
    input,
    output,
    terminal: options.terminal ?? tty,
    prompt: options.prompt ?? '> ',
    banner: options.banner ?? localBanner(),
    evaluator: evaluatorIn(evaluator, () => ({ output, ask: (p, s) => engine!.ask(p, s) })),
  });
  const onAbort = (): void => engine!.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const end = await engine.run();
    if (signal?.aborted) throw new AbortedError(signal.reason);
    return end;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    void evaluator.dispose();
    if (input === process.stdin) process.stdin.pause();
  }
}
