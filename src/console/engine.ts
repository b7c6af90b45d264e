// The console engine: reads entries from a stream, evaluates them in order, writes results, prompts.
// One engine serves the terminal, each served client and the library; it knows nothing of TTYs, sockets
// or CDP: a front end hands it streams, says whether they are a terminal, and gives it an evaluator.
import { whenDrained } from '../io/drain.js';
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { AbortedError, EndOfInputError } from '../errors.js';
import { commandNames, runCommand, type CommandContext } from './commands.js';
import { isIncomplete } from './input.js';
import { interceptKeys, type Key, type TtyInterface } from './keys.js';
import { ReverseSearch } from './reverse-search.js';
import { colourInput } from './highlight.js';
import { Preview } from './preview.js';
import type { ConsoleEnd, LineEvaluator } from './types.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  evaluator: LineEvaluator;
  /** Line editing, arrows, Tab and Ctrl-C as keys (a TTY or a client that behaves like one). */
  terminal?: boolean;
  prompt?: string;
  banner?: string;
  /** Longest entry accepted, in characters (a served client's safety limit). */
  maxLineLength?: number;
  /** Mirror the program's console output from the start (`--console`); `.console on|off` toggles it. */
  mirrorOutput?: boolean;
  /** Syntax colouring of the line being typed (a colour terminal). */
  highlight?: boolean;
  /** The eager preview of results while typing, in a terminal (default true; `--no-preview`). */
  preview?: boolean;
  /** Earlier entries, newest first (terminal mode), and where each new entry is recorded. */
  history?: { entries: string[]; add(entry: string): unknown };
}

const DEFAULT_PROMPT = '> ';
const CONTINUATION = '... ';

export class ConsoleEngine {
  readonly output: Writable;
  readonly #rl: readline.Interface;
  readonly #evaluator: LineEvaluator;
  readonly #prompt: string;
  readonly #maxLineLength: number;
  readonly #historySink: ConsoleOptions['history'];
  #buffer: string[] = [];
  #history: string[] = [];
  #running: AbortController | undefined;
  /** Ctrl-C right after Enter belongs to that entry, even before its evaluation has begun. */
  #submitted = 0;
  readonly #terminal: boolean;
  #unwatch: (() => void) | undefined;
  #early: AbortController | undefined;
  #sigintOnce = false;
  /** Lines typed in editor mode (`.editor`), or undefined outside it. */
  #editor: string[] | undefined;
  /** True while Ctrl+R searches the history (no preview then). */
  #searching: () => boolean = () => false;
  /** Ctrl+D ended editor mode: the line readline is about to emit is the last one. */
  #editorDone = false;
  /** Lines emitted by readline, and lines the reading loop has taken (it can lag behind on a paste). */
  #linesEmitted = 0;
  #linesTaken = 0;
  /**
   * Editor mode collects lines as readline emits them; the reading loop then skips those (null) and
   * evaluates the entry at the line that ended editor mode. Keyed by line number.
   */
  readonly #editorLines = new Map<number, { code: string; lines: number } | null>();
  readonly #preview: Preview | undefined;
  #end: ConsoleEnd | undefined;
  #done: Promise<ConsoleEnd>;
  #finish!: (end: ConsoleEnd) => void;

  constructor(options: ConsoleOptions) {
    this.output = options.output;
    this.#evaluator = options.evaluator;
    this.#prompt = options.prompt ?? DEFAULT_PROMPT;
    this.#maxLineLength = options.maxLineLength ?? Infinity;
    this.#historySink = options.history;
    this.#terminal = options.terminal ?? false;
    const evaluatorComplete = options.evaluator.complete?.bind(options.evaluator);
    const completer = async (line: string): Promise<[string[], string]> => {
      if (/^\s*\.\w*$/.test(line)) {
        const partial = line.trim();
        return [commandNames().filter((n) => n.startsWith(partial)), partial];
      }
      return evaluatorComplete ? evaluatorComplete(line) : [[], line];
    };
    this.#rl = readline.createInterface({
      input: options.input,
      output: options.output,
      terminal: options.terminal ?? false,
      prompt: this.#prompt,
      history: options.history?.entries ?? [],
      historySize: 1000,
      ...(options.terminal
        ? {
            completer: (line: string, cb: (err: Error | null, r?: [string[], string]) => void) => {
              completer(line).then((r) => cb(null, r), () => cb(null, [[], line]));
            },
          }
        : {}),
    });
    this.#done = new Promise((resolve) => (this.#finish = resolve));
    this.#rl.on('SIGINT', () => this.#onSigint());
    this.#rl.on('line', (line: string) => {
      this.#submitted += 1;
      this.#linesEmitted += 1;
      if (this.#editor) this.#editorLine(this.#editor, line);
    });
    const evaluatorPreview = options.evaluator.preview?.bind(options.evaluator);
    if (this.#terminal && options.preview !== false && evaluatorPreview) {
      this.#preview = new Preview({
        rl: this.#rl as TtyInterface,
        output: options.output,
        compute: evaluatorPreview,
        wanted: (code) =>
          !this.#end && !this.#running && this.#submitted === 0 && !this.#editor && !this.#searching() && this.#buffer.length === 0 &&
          !/^\s*\.[a-z]/i.test(code) && !isIncomplete(code),
      });
    }
    if (this.#terminal) {
      const search = new ReverseSearch(this.#rl as TtyInterface);
      if (options.highlight) colourInput(this.#rl as TtyInterface, () => !search.active);
      this.#searching = () => search.active;
      interceptKeys(this.#rl, (data, key, next) => {
        this.#preview?.clear();
        if (!this.#editor && search.onKey(data, key)) return;
        this.#onKey(data, key, next);
        // Tab completion answers later and writes its list where the preview would be: no preview then.
        if (key.name !== 'tab') this.#preview?.schedule();
      });
    }
    if (options.banner) this.write(options.banner.endsWith('\n') ? options.banner : `${options.banner}\n`);
    if (options.mirrorOutput) this.#mirror(true);
  }

  /** Runs until the input ends, `.exit`, or close(); resolves with why it ended. */
  async run(): Promise<ConsoleEnd> {
    this.#rl.prompt();
    const reading = (async () => {
      for await (const line of this.#rl) {
        if (this.#end) break;
        this.#submitted = Math.max(0, this.#submitted - 1);
        // Input back-pressure: without a terminal (no Ctrl+C keys to read), stop reading while an entry
        // runs, so a client that floods lines cannot queue them in memory without bound.
        if (!this.#terminal) this.#rl.pause();
        const prompt = await this.#take(line);
        if (!this.#terminal && !this.#end) this.#rl.resume();
        if (this.#end) break;
        if (!prompt) continue;
        this.#rl.setPrompt(this.#editor ? '' : this.#buffer.length > 0 ? CONTINUATION : this.#prompt);
        this.#rl.prompt();
      }
      this.#stop('eof');
    })();
    reading.catch((err: unknown) => {
      // A target that went away is reported by whoever owns the target; anything else is said here.
      if ((err as { code?: string }).code !== 'ANODE_TARGET_CLOSED') this.write(`anode: ${(err as Error).message}\n`);
      this.#stop('closed');
    });
    return this.#done;
  }

  /** Writes text to the console's output (e.g. a notice), ahead of the prompt. */
  write(text: string): void {
    if (!this.output.writableEnded && !this.output.destroyed) this.output.write(text);
  }

  /**
   * Reads one line from this console's input while an entry runs (`ainput` inside a console): the line
   * goes to the caller, not to the console. Rejects with EndOfInputError at end of input, AbortedError
   * when `signal` aborts.
   */
  ask(prompt: string, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.#end) return reject(new EndOfInputError());
      if (signal?.aborted) return reject(new AbortedError(signal.reason));
      const rl = this.#rl;
      const cleanup = (): void => {
        rl.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (!this.#terminal && !this.#end) rl.pause();
      };
      const onClose = (): void => {
        cleanup();
        reject(new EndOfInputError());
      };
      const onAbort = (): void => {
        cleanup();
        reject(new AbortedError(signal?.reason));
      };
      rl.once('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.question(prompt, signal ? { signal } : {}, (answer) => {
        cleanup();
        resolve(answer);
      });
      if (!this.#terminal) rl.resume();
    });
  }

  /** Ends the console from outside (the target went away, the server closes): prints `message` first. */
  close(message?: string): void {
    if (this.#end) return;
    if (message) this.write(`\n${message}\n`);
    this.#running?.abort();
    this.#stop('closed');
  }

  /** An interrupt from outside the stream (a SIGINT to anode): stops the running entry, else ends. */
  interrupt(): void {
    if (this.#running) this.#running.abort();
    else this.close();
  }

  /** Writes `text` above the prompt, redrawing the prompt and the half-typed line below it. */
  printAbove(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (!this.#terminal || this.#running || this.#end) return this.write(body);
    readline.cursorTo(this.output, 0);
    readline.clearScreenDown(this.output);
    this.#preview?.forget();
    this.write(body);
    this.#rl.prompt(true);
    this.#preview?.schedule();
  }

  /** Starts or stops mirroring the program's console output; returns what to tell the user. */
  #mirror(on: boolean): string {
    if (!this.#evaluator.watchOutput) return "this console cannot see the program's output";
    if (on && !this.#unwatch) this.#unwatch = this.#evaluator.watchOutput((text) => this.printAbove(text));
    if (!on) {
      this.#unwatch?.();
      this.#unwatch = undefined;
    }
    return on ? "The program's console output is shown here." : "The program's console output is no longer shown.";
  }

  #stop(end: ConsoleEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#preview?.forget();
    this.#unwatch?.();
    this.#rl.close();
    this.#finish(end);
  }

  /** Keys in editor mode, as Node's REPL has them: Ctrl+D submits, history keys do nothing. */
  #onKey(data: string, key: Key, next: (data: string, key: Key) => void): void {
    if (!this.#editor) return next(data, key);
    if (key.ctrl && !key.shift && key.name === 'd') {
      this.#editorDone = true;
      return next(data, { name: 'return' });
    }
    if (key.ctrl && !key.shift && (key.name === 'n' || key.name === 'p')) return;
    if (!key.ctrl && !key.meta && (key.name === 'up' || key.name === 'down')) return;
    next(data, key);
  }

  /** `.editor`: later lines are collected until Ctrl+D (evaluate them) or Ctrl+C (discard them). */
  #enterEditor(): boolean {
    if (!this.#terminal) return false;
    this.#editor = [];
    this.#editorDone = false;
    this.write('// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)\n');
    return true;
  }

  /** Collects a line of editor mode as readline emits it; Ctrl+D made it the last one. */
  #editorLine(editor: string[], line: string): void {
    editor.push(line);
    if (this.#editorDone) {
      this.#editorDone = false;
      this.#editor = undefined;
      this.#editorLines.set(this.#linesEmitted, { code: editor.join('\n'), lines: editor.filter((l) => l.length > 0).length });
      return;
    }
    this.#editorLines.set(this.#linesEmitted, null);
    // Node's code alignment: the next line starts with this line's indentation (keys typed ahead land after it).
    const indent = /^[ \t]+/.exec(line)?.[0];
    if (indent) this.#rl.write(indent);
  }

  /** Handles one line; false when no prompt follows it (a line collected by editor mode). */
  async #take(line: string): Promise<boolean> {
    this.#linesTaken += 1;
    const editorEntry = this.#editorLines.get(this.#linesTaken);
    if (editorEntry === undefined) {
      await this.#onLine(line);
      return true;
    }
    this.#editorLines.delete(this.#linesTaken);
    if (editorEntry === null) return false;
    this.#sigintOnce = false;
    if (editorEntry.code.trim() === '') return true;
    this.#history.push(editorEntry.code);
    this.#recordHistory(editorEntry.code, editorEntry.lines);
    await this.evaluate(editorEntry.code);
    return true;
  }

  async #onLine(line: string): Promise<void> {
    this.#sigintOnce = false;
    if (line.length > this.#maxLineLength) {
      this.write(`anode: line too long (${line.length} characters, limit ${this.#maxLineLength}); discarded\n`);
      this.#buffer = [];
      return;
    }
    // Inside a multi-line entry only known commands count: `.then(...)` there is code.
    if (/^\s*\.[a-z]/i.test(line)) {
      const handled = await runCommand(line.trim(), this.#commandContext(), this.#buffer.length === 0);
      if (handled) return;
    }
    const early = this.#early;
    this.#early = undefined;
    this.#buffer.push(line);
    const code = this.#buffer.join('\n');
    if (isIncomplete(code)) return;
    const lines = this.#buffer.length;
    this.#buffer = [];
    if (code.trim() === '') return;
    this.#history.push(code);
    this.#recordHistory(code, lines);
    await this.evaluate(code, early);
  }

  /** A multi-line entry is recalled as one: its lines in readline's history become one item. */
  #recordHistory(code: string, lines: number): void {
    const rl = this.#rl as readline.Interface & { history?: string[] };
    if (lines > 1 && rl.history) {
      rl.history.splice(0, Math.min(lines, rl.history.length), code);
    }
    this.#historySink?.add(code);
  }

  /** Evaluates one complete entry and prints its outcome (also used by `.load`). */
  async evaluate(code: string, controller = new AbortController()): Promise<void> {
    this.#running = controller;
    try {
      const outcome = await this.#evaluator.evaluate(code, { signal: controller.signal, notify: (text) => this.write(`${text}\n`) });
      this.write(`${outcome.text}\n`);
      await this.#drained();
    } finally {
      this.#running = undefined;
    }
  }

  #commandContext(): CommandContext {
    return {
      write: (text) => this.write(text),
      exit: () => this.#stop('exit'),
      clearBuffer: () => (this.#buffer = []),
      history: () => this.#history,
      evaluate: (code) => this.evaluate(code),
      mirror: (on) => this.#mirror(on),
      editor: () => this.#enterEditor(),
      scope: async (file) => this.#evaluator.scope?.(file),
    };
  }

  /** Back-pressure: a reader that stops reading stops the console, not anode's memory. */
  #drained(): Promise<void> {
    return whenDrained(this.output);
  }

  #onSigint(): void {
    if (this.#running) {
      this.#running.abort();
      return;
    }
    if (this.#editor) {
      // Ctrl+C leaves editor mode and forgets what was typed in it.
      const rl = this.#rl as TtyInterface;
      this.#editor = undefined;
      this.#editorDone = false;
      rl.line = '';
      rl.cursor = 0;
      this.write('\n');
      rl.setPrompt(this.#prompt);
      rl.prompt();
      return;
    }
    if (this.#submitted > 0) {
      // The entry is on its way: it starts already interrupted.
      this.#early = new AbortController();
      this.#early.abort();
      return;
    }
    const rl = this.#rl as readline.Interface & { line: string; cursor: number };
    if (rl.line.length > 0 || this.#buffer.length > 0) {
      rl.line = '';
      rl.cursor = 0;
      this.#buffer = [];
      this.#sigintOnce = false;
      this.write('\n');
      rl.setPrompt(this.#prompt);
      rl.prompt();
      return;
    }
    if (this.#sigintOnce) {
      this.write('\n');
      this.#stop('exit');
      return;
    }
    this.#sigintOnce = true;
    this.write('\n(To exit, press Ctrl+C again or Ctrl+D or type .exit)\n');
    rl.prompt();
  }
}
