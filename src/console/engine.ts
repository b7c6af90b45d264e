// The console engine: reads entries from a stream, evaluates them in order, writes results, prompts.
// One engine serves the terminal, each served client and the library; it knows nothing of TTYs, sockets
// or CDP: a front end hands it streams, says whether they are a terminal, and gives it an evaluator.
import { whenDrained } from '../io/drain.js';
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { AbortedError, EndOfInputError, isTargetClosed } from '../errors.js';
import { ignored } from '../log/debug.js';
import { commandNames, runCommand, type CommandContext } from './commands.js';
import { isIncomplete } from './input.js';
import { EntryBuffer } from './entry-buffer.js';
import { interceptKeys, type TtyInterface } from './keys.js';
import { ReverseSearch } from './reverse-search.js';
import { colourInput } from './highlight.js';
import { EditorMode } from './editor-mode.js';
import { Preview } from './preview.js';
import { PASTE_END, PASTE_START, TypeAhead } from './type-ahead.js';
import { promptAt } from './target-commands.js';
import type { ConsoleEnd, LineEvaluator } from './types.js';

/** How long the console's end waits for its last history write. */
const HISTORY_WAIT_MS = 2000;

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  evaluator: LineEvaluator;
  /** Line editing, arrows, Tab and Ctrl-C as keys (a TTY or a client that behaves like one). */
  terminal?: boolean;
  prompt?: string;
  banner?: string;
  /** Longest entry accepted, in characters, one line or several (a served client's safety limit). */
  maxLineLength?: number;
  /**
   * Most characters re-parsed while one multi-line entry is collected (each line re-checks the whole
   * entry, so the work grows with the square of its lines); past it the entry is discarded. Bounds the
   * time one client's open `{` or backtick followed by many lines can hold anode's event loop.
   */
  maxEntryParse?: number;
  /** Mirror the program's console output from the start (`--console`); `.console on|off` toggles it. */
  mirrorOutput?: boolean;
  /** Syntax colouring of the line being typed (a colour terminal). */
  highlight?: boolean;
  /** The eager preview of results while typing, in a terminal (default true; `--no-preview`). */
  preview?: boolean;
  /** Earlier entries, newest first (terminal mode), and where each new entry is recorded. */
  history?: { entries: string[]; add(entry: string): unknown };
  /** Ask the terminal for bracketed paste (a real terminal: pasted text arrives marked as such). */
  bracketedPaste?: boolean;
  /** Ctrl-Z: suspends the process (a real terminal's job control); resolves once it runs again. */
  suspend?: () => Promise<void>;
}

const DEFAULT_PROMPT = '> ';
/** How long Tab waits for the evaluator's candidates before it completes nothing (input is held meanwhile). */
export const COMPLETION_GIVE_UP_MS = 1000;
const CONTINUATION = '... ';
/** Longest wait for the program's output of an entry before its result is printed anyway. */
const OUTPUT_SETTLE_MS = 1000;
/** How long a console that is leaving still shows the program's lines on their way (then they are gone). */
const LEAVING_OUTPUT_MS = 2000;

export class ConsoleEngine {
  readonly output: Writable;
  readonly #rl: readline.Interface;
  readonly #evaluator: LineEvaluator;
  readonly #prompt: string;
  readonly #maxLineLength: number;
  readonly #historySink: ConsoleOptions['history'];
  /** The last history write: the console's end waits for it (briefly), so no entry is lost on Ctrl-D. */
  #historySaved: Promise<unknown> = Promise.resolve();
  readonly #buffer: EntryBuffer;
  #history: string[] = [];
  #running: AbortController | undefined;
  #runningSince = 0;
  /** Ctrl-C right after Enter belongs to that entry, even before its evaluation has begun. */
  #submitted = 0;
  readonly #terminal: boolean;
  #unwatch: (() => void) | undefined;
  /** Mirroring of a console that has ended: stopped once the lines on their way are shown. */
  #unwatchAtEnd: (() => void) | undefined;
  /** Mirrored lines that arrived in this turn of the event loop, written together in the next. */
  #mirroredText: string | undefined;
  #unwatchTarget: (() => void) | undefined;
  #early: AbortController | undefined;
  #sigintOnce = false;
  /** `.editor` (terminal consoles). */
  readonly #editor: EditorMode;
  /** True while Ctrl+R searches the history (no preview then). */
  #searching: () => boolean = () => false;
  readonly #preview: Preview | undefined;
  /** Keys typed and text pasted while an entry runs (terminal consoles). */
  #typeAhead: TypeAhead | undefined;
  readonly #bracketedPaste: boolean;
  /**
   * Lines readline emitted that the reading loop has not taken yet (a pasted or piped chunk arrives at
   * once): `ask` takes from here first, so an answer sent with its question is not read as code.
   */
  readonly #pending: string[] = [];
  #wakeReader: (() => void) | undefined;
  #inputEnded = false;
  #end: ConsoleEnd | undefined;
  #done: Promise<ConsoleEnd>;
  #finish!: (end: ConsoleEnd) => void;

  constructor(options: ConsoleOptions) {
    this.output = options.output;
    this.#evaluator = options.evaluator;
    this.#prompt = options.prompt ?? DEFAULT_PROMPT;
    this.#maxLineLength = options.maxLineLength ?? Infinity;
    this.#buffer = new EntryBuffer(this.#maxLineLength, options.maxEntryParse);
    this.#historySink = options.history;
    this.#terminal = options.terminal ?? false;
    this.#bracketedPaste = this.#terminal && options.bracketedPaste === true;
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
              this.#complete(line, completer, cb);
            },
          }
        : {}),
    });
    this.#done = new Promise((resolve) => (this.#finish = resolve));
    this.#editor = new EditorMode(this.#rl);
    this.#rl.on('SIGINT', () => this.#onSigint());
    this.#rl.on('line', (line: string) => {
      this.#submitted += 1;
      this.#editor.emitted(line, !this.#typeAhead?.replayingPaste);
      // A line collected by editor mode draws no prompt; any other waits for its result first.
      if (!this.#editor.active) this.#typeAhead?.hold();
      this.#pending.push(line);
      this.#wake();
    });
    this.#rl.on('close', () => {
      this.#inputEnded = true;
      this.#wake();
    });
    const evaluatorPreview = options.evaluator.preview?.bind(options.evaluator);
    if (this.#terminal && options.preview !== false && evaluatorPreview) {
      this.#preview = new Preview({
        rl: this.#rl as TtyInterface,
        output: options.output,
        compute: evaluatorPreview,
        wanted: (code) =>
          !this.#end && !this.#running && this.#submitted === 0 && !this.#editor.active && !this.#searching() && this.#buffer.empty &&
          !/^\s*\.[a-z]/i.test(code) && !isIncomplete(code),
      });
    }
    if (this.#terminal) {
      const search = new ReverseSearch(this.#rl as TtyInterface);
      if (options.highlight) colourInput(this.#rl as TtyInterface, () => !search.active);
      this.#searching = () => search.active;
      const rl = this.#rl as TtyInterface & { history?: string[] };
      const typeAhead = new TypeAhead({
        rl,
        next: (data, key) => rl._ttyWrite(data, key),
        collecting: () => this.#editor.active || !this.#buffer.empty,
        submit: (code) => {
          // The paste is shown after what is already on the line, each further line after a `... `.
          this.write(`${code.slice(rl.line.length).split('\n').join(`\n${CONTINUATION}`)}\n`);
          rl.line = '';
          rl.cursor = 0;
          rl.history?.unshift(code);
          rl.emit('line', code);
        },
      });
      this.#typeAhead = typeAhead;
      rl.on('SIGTSTP', () => void this.#suspend(options.suspend));
      interceptKeys(this.#rl, (data, key, next) => {
        this.#preview?.clear();
        if (typeAhead.onKey(data, key)) return;
        if (!this.#editor.active && search.onKey(data, key)) return;
        this.#editor.onKey(data, key, next);
        // Tab completion answers later and writes its list where the preview would be: no preview then.
        if (key.name !== 'tab') this.#preview?.schedule();
      });
    }
    if (options.banner) this.write(options.banner.endsWith('\n') ? options.banner : `${options.banner}\n`);
    if (options.mirrorOutput) this.#mirror(true);
    // The console's target ended under it (a worker exited): say so above the prompt, which follows it.
    this.#unwatchTarget = options.evaluator.targets?.onNotice((text) => {
      const idle = !this.#running && !this.#end && this.#buffer.empty && !this.#editor.active;
      if (idle) this.#rl.setPrompt(this.#promptNow());
      this.printAbove(text);
      // A terminal redraws its prompt above; a plain stream gets the new one after the notice.
      if (idle && !this.#terminal) this.#rl.prompt();
    });
  }

  /** The prompt where the console is now (`worker 2> ` inside worker thread 2). */
  #promptNow(): string {
    return promptAt(this.#evaluator.targets?.where() ?? '', this.#prompt);
  }

  /** Runs until the input ends, `.exit`, or close(); resolves with why it ended. */
  async run(): Promise<ConsoleEnd> {
    if (this.#bracketedPaste) this.write(PASTE_START);
    this.#rl.setPrompt(this.#promptNow());
    this.#rl.prompt();
    const reading = (async () => {
      for (let line = await this.#nextLine(); line !== undefined; line = await this.#nextLine()) {
        if (this.#end) break;
        this.#submitted = Math.max(0, this.#submitted - 1);
        // Input back-pressure: without a terminal (no Ctrl+C keys to read), stop reading while an entry
        // runs, so a client that floods lines cannot queue them in memory without bound.
        // (Once the input has ended there is nothing to pause: readline of Node 24+ throws on it.)
        if (!this.#terminal && !this.#inputEnded) this.#rl.pause();
        const prompt = await this.#take(line);
        if (!this.#terminal && !this.#end && !this.#inputEnded) this.#rl.resume();
        if (this.#end) break;
        if (!prompt) continue;
        this.#rl.setPrompt(this.#editor.active ? '' : !this.#buffer.empty ? CONTINUATION : this.#promptNow());
        // Lines still queued after the input ended: readline (Node 24+) refuses prompt() once closed.
        if (this.#inputEnded) this.write(this.#rl.getPrompt());
        else this.#rl.prompt();
        this.#typeAhead?.release();
      }
      // Ctrl-D on a terminal: the shell's prompt comes on a line of its own, as after Node's REPL.
      if (this.#terminal && !this.#end) this.write('\n');
      this.#stop('eof');
    })();
    reading.catch((err: unknown) => {
      // A target that went away is reported by whoever owns the target; anything else is said here.
      if (!isTargetClosed(err)) this.write(`anode: ${(err as Error).message}\n`);
      this.#stop('closed');
    });
    const end = await this.#done;
    if (this.#unwatchAtEnd) {
      await this.#outputSettled(true);
      await new Promise((r) => setImmediate(r));
      this.#unwatchAtEnd();
      this.#unwatchAtEnd = undefined;
    }
    // What was typed last reaches the history file before the console is gone (at most 2 s).
    await Promise.race([this.#historySaved, new Promise((r) => setTimeout(r, HISTORY_WAIT_MS).unref())]);
    return end;
  }

  /** The next line readline emitted, in order; undefined once the input has ended and all are taken. */
  async #nextLine(): Promise<string | undefined> {
    while (this.#pending.length === 0) {
      if (this.#inputEnded) return undefined;
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
    return this.#pending.shift();
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = undefined;
    wake?.();
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
      const early = this.#pending.shift();
      if (early !== undefined) {
        // The answer came with the entry (a piped transcript): it is the answer, not the next entry.
        this.#submitted = Math.max(0, this.#submitted - 1);
        this.#editor.take();
        this.write(prompt);
        return resolve(early);
      }
      const rl = this.#rl;
      const cleanup = (): void => {
        // The entry that asked goes on: keys wait for its prompt again.
        this.#typeAhead?.hold();
        rl.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (!this.#terminal && !this.#end && !this.#inputEnded) rl.pause();
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
      this.#typeAhead?.pass();
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
    // On a terminal the cursor may sit on the prompt line: what anode says next starts on a fresh one.
    else if (this.#terminal && !this.#running) this.write('\n');
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

  /**
   * A line of the program's output: the lines that arrive together are written together, once (a terminal
   * redraws its prompt once for them, not once per line).
   */
  #mirrored(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (this.#mirroredText === undefined) {
      this.#mirroredText = body;
      setImmediate(() => {
        const all = this.#mirroredText;
        this.#mirroredText = undefined;
        if (all) this.printAbove(all);
      });
    } else this.#mirroredText += body;
  }

  /** Starts or stops mirroring the program's console output; returns what to tell the user. */
  #mirror(on: boolean): string {
    if (!this.#evaluator.watchOutput) return "this console cannot see the program's output";
    if (on && !this.#unwatch) this.#unwatch = this.#evaluator.watchOutput((text) => this.#mirrored(text));
    if (!on) {
      this.#unwatch?.();
      this.#unwatch = undefined;
    }
    return on ? "The program's console output is shown here." : "The program's console output is no longer shown.";
  }

  #stop(end: ConsoleEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#preview?.close();
    if (this.#bracketedPaste) this.write(PASTE_END);
    // The program's lines still on their way are shown before the console is gone (run() waits for them).
    this.#unwatchAtEnd = this.#unwatch;
    this.#unwatch = undefined;
    this.#unwatchTarget?.();
    this.#rl.close();
    this.#finish(end);
  }

  /**
   * Tab: readline holds all input (Ctrl-C too) until the completer answers, so a program that does not
   * answer (stopped, blocked outside JavaScript) gets COMPLETION_GIVE_UP_MS, then nothing is completed and
   * the line is editable again. An answer that comes after the console has closed is dropped: readline
   * would resume the input it has closed (keeping anode alive) and draw on a terminal it has left.
   */
  #complete(
    line: string,
    completer: (line: string) => Promise<[string[], string]>,
    cb: (err: Error | null, r?: [string[], string]) => void,
  ): void {
    let answered = false;
    const answer = (r: [string[], string]): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (!this.#end) cb(null, r);
    };
    const timer = setTimeout(() => answer([[], line]), COMPLETION_GIVE_UP_MS);
    timer.unref();
    completer(line).then(answer, () => answer([[], line]));
  }

  /**
   * Ctrl-Z: on a real terminal the console steps aside (the terminal's modes as they were), and after `fg`
   * comes back with its modes, its prompt and the half-typed line; elsewhere (a served client) it is ignored.
   */
  async #suspend(suspend: (() => Promise<void>) | undefined): Promise<void> {
    if (!suspend || this.#end) return;
    this.#preview?.clear();
    if (this.#bracketedPaste) this.write(PASTE_END);
    await suspend();
    if (this.#end) return;
    if (this.#bracketedPaste) this.write(PASTE_START);
    this.#rl.resume();
    if (this.#running) return;
    this.write('\n');
    this.#rl.prompt(true);
    this.#preview?.schedule();
  }

  /** `.editor`: later lines are collected until Ctrl+D (evaluate them) or Ctrl+C (discard them). */
  #enterEditor(): boolean {
    if (!this.#terminal) return false;
    this.#editor.enter();
    this.write('// Entering editor mode (Ctrl+D to finish, Ctrl+C to cancel)\n');
    return true;
  }

  /** Handles one line; false when no prompt follows it (a line collected by editor mode). */
  async #take(line: string): Promise<boolean> {
    const editorEntry = this.#editor.take();
    if (editorEntry === 'line') {
      await this.#onLine(line);
      return true;
    }
    if (editorEntry === 'collected') return false;
    this.#sigintOnce = false;
    if (editorEntry.code.trim() === '') return true;
    this.#recordHistory(editorEntry.code, editorEntry.lines);
    await this.evaluate(editorEntry.code);
    return true;
  }

  async #onLine(line: string): Promise<void> {
    this.#sigintOnce = false;
    if (line.length > this.#maxLineLength) {
      this.write(`anode: line too long (${line.length} characters, limit ${this.#maxLineLength}); discarded\n`);
      this.#buffer.clear();
      return;
    }
    // Inside a multi-line entry only known commands count: `.then(...)` there is code.
    if (/^\s*\.[a-z]/i.test(line)) {
      const handled = await runCommand(line.trim(), this.#commandContext(), this.#buffer.empty);
      if (handled) return;
    }
    const early = this.#early;
    this.#early = undefined;
    const collected = this.#buffer.add(line);
    if (collected.kind === 'discarded') return this.write(`${collected.message}\n`);
    if (collected.kind === 'more') return;
    const { code, lines } = collected;
    if (code === '') return;
    if (code.trim() === '') {
      // As in Node's REPL: a line of spaces is an entry (kept by .save) whose value is undefined.
      this.#history.push(code);
      return this.write('undefined\n');
    }
    this.#recordHistory(code, lines);
    await this.evaluate(code, early);
  }

  /** A multi-line entry is recalled as one: its lines in readline's history become one item. */
  #recordHistory(code: string, lines: number): void {
    const rl = this.#rl as readline.Interface & { history?: string[] };
    if (lines > 1 && rl.history) {
      rl.history.splice(0, Math.min(lines, rl.history.length), code);
    }
    if (this.#historySink) this.#historySaved = Promise.resolve(this.#historySink.add(code)).catch((err: unknown) => ignored('saving the history', err));
  }

  /**
   * Evaluates one complete entry and prints its outcome (also used by `.load`). An entry that did not
   * throw is kept for `.save` (Node's REPL leaves out the entries that threw).
   */
  async evaluate(code: string, controller = new AbortController()): Promise<void> {
    this.#running = controller;
    this.#runningSince = Date.now();
    try {
      const outcome = await this.#evaluator.evaluate(code, { signal: controller.signal, notify: (text) => this.write(`${text}\n`) });
      await this.#outputSettled();
      if (outcome.kind === 'value') this.#history.push(code);
      this.write(`${outcome.text}\n`);
      await this.#drained();
    } catch (err) {
      // The entry failed, not the console: say so in one line and go on (a target that went away ends it).
      if (isTargetClosed(err)) throw err;
      this.write(`anode: ${(err as Error).message}\n`);
    } finally {
      this.#running = undefined;
    }
  }

  /** True while an entry is being evaluated. */
  get evaluating(): boolean {
    return this.#running !== undefined;
  }

  /** When the entry being evaluated began (ms since the epoch); undefined when none is. */
  get evaluatingSince(): number | undefined {
    return this.#running === undefined ? undefined : this.#runningSince;
  }

  /** What the entry logged is shown before its result (a stuck event connection delays it 1 s at most). */
  async #outputSettled(leaving = false): Promise<void> {
    if (!this.#evaluator.settleOutput) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, leaving ? LEAVING_OUTPUT_MS : OUTPUT_SETTLE_MS)));
    await Promise.race([this.#evaluator.settleOutput({ leaving }).catch((err: unknown) => ignored('waiting for the program output', err)), late]);
    clearTimeout(timer);
  }

  #commandContext(): CommandContext {
    return {
      write: (text) => this.write(text),
      exit: () => this.#stop('exit'),
      clearBuffer: () => this.#buffer.clear(),
      // As in Node's REPL, `.save` keeps the lines of an entry still being typed.
      history: () => [...this.#history, ...this.#buffer.lines],
      evaluate: (code) => this.evaluate(code),
      mirror: (on) => this.#mirror(on),
      editor: () => this.#enterEditor(),
      scope: async (file) => this.#evaluator.scope?.(file),
      targets: this.#evaluator.targets,
      inspection: () => this.#evaluator.inspection?.(),
      remoteInspection: () => this.#evaluator.remoteInspection?.(),
      terminal: this.#terminal,
      interruptible: () => {
        const controller = new AbortController();
        this.#running = controller;
        return { signal: controller.signal, done: () => void (this.#running === controller && (this.#running = undefined)) };
      },
    };
  }

  /** Back-pressure: a reader that stops reading stops the console, not anode's memory. */
  #drained(): Promise<void> {
    return whenDrained(this.output);
  }

  #onSigint(): void {
    this.#typeAhead?.drop();
    if (this.#running) {
      this.#running.abort();
      return;
    }
    if (this.#editor.active) {
      this.#editor.cancel(this.#promptNow());
      this.write('\n');
      this.#rl.prompt();
      return;
    }
    if (this.#submitted > 0) {
      // The entry is on its way: it starts already interrupted.
      this.#early = new AbortController();
      this.#early.abort();
      return;
    }
    const rl = this.#rl as readline.Interface & { line: string; cursor: number };
    if (rl.line.length > 0 || !this.#buffer.empty) {
      rl.line = '';
      rl.cursor = 0;
      this.#buffer.clear();
      this.#sigintOnce = false;
      this.write('\n');
      rl.setPrompt(this.#promptNow());
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
