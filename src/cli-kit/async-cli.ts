// AsyncCli (the original's AsynchronousCli): commander Commands with async handlers over any streams.
// `help`, `list`, `exit` and `<command> -h` come for free, with the original's texts; a parse error, a
// help request or a throwing handler prints to the client and the session goes on.
import { writeDrained } from '../io/drain.js';
import type { Readable, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { EndOfInputError } from '../errors.js';
import { LineQueue } from '../io/line-queue.js';
import { runInConsole } from '../library/context.js';
import { splitLine } from './split.js';
import { usageOf } from './usage.js';

/** What a handler gets besides its options: the client's streams, positional arguments, an abort signal. */
export interface CliIO {
  input: Readable;
  output: Writable;
  /** Positional arguments, as commander processed them. */
  args: unknown[];
  /** Aborts when the client leaves (or the server closes). */
  signal: AbortSignal;
  /** Writes text to the client and waits if its buffer is full (for commands that stream). */
  write(text: string): Promise<void>;
}

/** A command's handler: its parsed options and the client's IO; a returned value is printed. */
export type CliHandler = (options: Record<string, unknown>, io: CliIO) => unknown;

export interface AsyncCliOptions {
  /** The program's name in the banner (default 'cli'). */
  prog?: string;
  prompt?: string;
  /** Commands and their handlers. */
  commands?: Array<[Command, CliHandler]>;
}

export interface CliInteractOptions {
  input?: Readable;
  output?: Writable;
  signal?: AbortSignal;
}

interface Entry {
  command: Command;
  handler: CliHandler;
}

const BUILTIN_HELP: Record<string, string> = {
  help: 'Display the help message',
  list: 'Display the command list',
  exit: 'Exit the interface',
};

export class AsyncCli {
  readonly prog: string;
  readonly prompt: string;
  readonly #commands = new Map<string, Entry>();
  /** Where commander writes during the (synchronous) parse of the current line. */
  #out: Writable | undefined;
  #parsed: unknown[] = [];

  constructor(options: AsyncCliOptions = {}) {
    this.prog = options.prog ?? 'cli';
    this.prompt = options.prompt ?? '>>> ';
    this.#add(new Command('help').description(BUILTIN_HELP.help!), () => this.helpText());
    this.#add(new Command('list').description(BUILTIN_HELP.list!), () => this.listText());
    this.#add(new Command('exit').description(BUILTIN_HELP.exit!), () => EXIT);
    for (const [command, handler] of options.commands ?? []) this.command(command, handler);
  }

  /** Adds a command (a commander Command: options, arguments, description) and its async handler. */
  command(command: Command, handler: CliHandler): this {
    if (this.#commands.has(command.name())) throw new Error(`the command '${command.name()}' is already defined`);
    return this.#add(command, handler);
  }

  #add(command: Command, handler: CliHandler): this {
    command
      .exitOverride()
      .helpOption('-h, --help', 'show this help message and exit')
      .configureOutput({
        writeOut: (text) => void this.#out?.write(text),
        writeErr: (text) => void this.#out?.write(text),
        outputError: (text, write) => write(text),
      })
      .action((...args: unknown[]) => {
        this.#parsed = args.slice(0, -2);
      });
    this.#commands.set(command.name(), { command, handler });
    return this;
  }

  /** The welcome banner. */
  bannerText(): string {
    return `Welcome to the CLI interface of ${this.prog}!\nTry:\n * 'help' to display the help message\n * 'list' to display the command list.`;
  }

  /** The text of `help`. */
  helpText(): string {
    return "Type 'help' to display this message.\nType 'list' to display the command list.\nType '<command> -h' to display the help message of <command>.";
  }

  /** The text of `list`: sorted usages. */
  listText(): string {
    const usages = [...this.#commands.values()].map((e) => ` * ${usageOf(e.command)}`).sort();
    return `List of commands:\n${usages.join('\n')}`;
  }

  /** Runs one input line for a client; resolves 'exit' when it asked to leave. */
  async execute(line: string, io: Omit<CliIO, 'args'>): Promise<'exit' | undefined> {
    let argv: string[];
    try {
      argv = splitLine(line);
    } catch (err) {
      await io.write(`${(err as Error).message}\n`);
      return undefined;
    }
    const [name, ...rest] = argv;
    if (name === undefined) return undefined;
    const entry = this.#commands.get(name);
    if (!entry) {
      await io.write(`Command '${name}' does not exist.\n`);
      return undefined;
    }
    const { command, handler } = entry;
    if (!command.usage() || command.usage() === '[options]') command.usage(usageOf(command).split(' ').slice(1).join(' '));
    // Parsing is synchronous: commander's output goes to this client only.
    this.#out = io.output;
    this.#parsed = [];
    try {
      command.parse(rest, { from: 'user' });
    } catch (err) {
      if (err instanceof CommanderError) return undefined;
      throw err;
    } finally {
      this.#out = undefined;
    }
    const options = command.opts();
    const args = this.#parsed;
    try {
      const result = await handler(options, { ...io, args });
      if (result === EXIT) return 'exit';
      if (result !== undefined && result !== null && result !== '') {
        await io.write(`${typeof result === 'string' ? result : inspect(result)}\n`);
      }
    } catch (err) {
      if (io.signal.aborted) return 'exit';
      await io.write(`${err instanceof Error ? (err.stack ?? err.message) : `Uncaught ${inspect(err)}`}\n`);
    }
    return undefined;
  }

  /** Runs the interface over a pair of streams; resolves with why it ended: `exit`, end of input, `signal`. */
  async interact(options: CliInteractOptions = {}): Promise<'exit' | 'eof' | 'aborted'> {
    const input = options.input ?? process.stdin;
    const output = options.output ?? process.stdout;
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const write = (text: string): Promise<void> => writeDrained(output, text);
    const lines = new LineQueue(input);
    const onAbort = (): void => lines.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const ask = async (prompt: string, askSignal?: AbortSignal): Promise<string> => {
      await write(prompt);
      const line = await lines.next(askSignal);
      if (line === undefined) throw new EndOfInputError();
      return line;
    };
    try {
      await write(`${this.bannerText()}\n${this.prompt}`);
      for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
        const end = await runInConsole({ output, ask }, () => this.execute(line!, { input, output, signal, write }));
        if (end === 'exit') return 'exit';
        if (signal.aborted) break;
        await write(this.prompt);
      }
      return signal.aborted ? 'aborted' : 'eof';
    } finally {
      signal.removeEventListener('abort', onAbort);
      controller.abort();
      lines.close();
      if (input === process.stdin) process.stdin.pause();
    }
  }
}

const EXIT = Symbol('exit');

