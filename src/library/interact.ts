// interact(): a console over any pair of streams, evaluating in THIS process with the same engine,
// semantics and formatting as `anode run`.
import type { Readable, Writable } from 'node:stream';
import { ConsoleEngine } from '../console/engine.js';
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
}

/** The banner of an in-process console. */
export function localBanner(): string {
  return `anode: console into this process (pid ${process.pid}, Node ${process.version}). Top-level await works; .help for more.`;
}

/** Runs a console until the input ends or `.exit`; resolves with why it ended. */
export async function interact(options: InteractOptions = {}): Promise<ConsoleEnd> {
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
  try {
    return await engine.run();
  } finally {
    void evaluator.dispose();
    if (input === process.stdin) process.stdin.pause();
  }
}
