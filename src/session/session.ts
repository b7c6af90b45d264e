// One evaluation session with one target: a dedicated evaluation channel (no event domains, every call
// awaited, so replies never queue behind events) and a second channel for events (the program finishing,
// interrupts). Any number of consoles share it through their own Evaluator (evaluator.ts).
import { setMaxListeners } from 'node:events';
import { isPromiseCollected, TargetClosedError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { AGENT_REF, FREE_NAMES, INSTALL_AGENT, NEEDS_COMMAND_LINE_API, bindingsSource, installWorkerAgent } from './agent.js';
import type { Channel } from './channel.js';
import { ProgramOutput } from './program-output.js';
import { COMMAND_LINE_API_NAMES, commandLineApiSource } from './command-line-api.js';
import { CONSOLE_IO_NAMES } from './console-io.js';
import { evalValue } from './remote-object.js';
import { ANSWER_WAIT_MS, stopEntries, type InterruptResult } from './stop-entries.js';

export type { InterruptResult };

/** What the console shows about the process it is in. */
export interface TargetInfo {
  pid: number;
  nodeVersion: string;
  /** Absolute path of the entry script, if any. */
  mainFile: string | undefined;
  argv: string[];
  /** A TypeScript program: 'strip' when entries' types are stripped, 'unavailable' when this Node cannot. */
  typescript?: 'strip' | 'unavailable';
}

/** How long a program released from --inspect-wait may take to finish its bootstrap. */
const BOOTSTRAP_WAIT_MS = 3000;
/** How long the reply to declaring the console bindings is waited for before they are looked up instead. */
const DECLARE_WAIT_MS = 200;

/** True when `promise` fulfils within `ms`; false when it rejects or is later. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SessionOptions {
  /**
   * The target is this very process (node:inspector): never pause the debugger (the paused thread
   * would be the caller's own), so an interrupt only stops waiting.
   */
  inProcess?: boolean;
  /** The target is a worker thread running `file` (null: started from a string): see targets.ts. */
  worker?: { file: string | null };
}

export class EvalSession {
  readonly info: TargetInfo;
  /** Resolves with a reason once the target is gone (finished, exited, or the connection dropped). */
  readonly ended: Promise<string>;
  /** True once the program ran out of work by itself and waits for its debuggers to leave (it exits next). */
  get programFinished(): boolean {
    return this.#programFinished;
  }
  /** Aborted (with the reason) once the target is gone: per-call listeners can come and go cheaply. */
  readonly endedSignal: AbortSignal;
  readonly #endController = new AbortController();
  readonly evalChannel: Channel;
  readonly eventChannel: Channel;
  /** The program's console.* calls, for consoles that mirror them. */
  readonly programOutput: ProgramOutput;
  #bindings: Set<string>;
  #seq = 0;
  #debuggerQueue: Promise<unknown> = Promise.resolve();
  #mainLoaded = false;
  #ended = false;
  #programFinished = false;
  readonly #inProcess: boolean;

  private constructor(evalChannel: Channel, eventChannel: Channel, info: TargetInfo, bindings: string[], inProcess: boolean) {
    this.#inProcess = inProcess;
    this.evalChannel = evalChannel;
    this.eventChannel = eventChannel;
    this.programOutput = new ProgramOutput(eventChannel);
    this.info = info;
    this.#bindings = new Set(bindings);
    let finish!: (reason: string) => void;
    this.ended = new Promise((resolve) => (finish = resolve));
    this.endedSignal = this.#endController.signal;
    // Every entry running in any console listens to it (one per served client and more): not a leak.
    setMaxListeners(0, this.endedSignal);
    const end = (reason: string): void => {
      if (this.#ended) return;
      this.#ended = true;
      finish(reason);
      this.#endController.abort(reason);
      void this.close();
    };
    // A program that runs out of work waits for its debuggers to leave: leave, so it can exit.
    eventChannel.onRaw('NodeRuntime.waitingForDisconnect', () => {
      this.#programFinished = true;
      end('the program finished');
    });
    void evalChannel.closed.then(end);
    void eventChannel.closed.then(end);
  }

  /**
   * Installs the agent and the console bindings, then lets a program held by --wait run. If that fails,
   * both channels are closed: the caller is left with nothing to clean up.
   */
  static async open(evalChannel: Channel, eventChannel: Channel, options: SessionOptions = {}): Promise<EvalSession> {
    // A program that ends while the console is being prepared (it finished, or called process.exit() the
    // moment --wait released it) waits for its debuggers to leave, and no later step would ever complete.
    let finishedEarly = (): void => {};
    const finished = new Promise<never>((_, reject) => {
      finishedEarly = () => reject(new TargetClosedError('the program finished before the console was ready'));
    });
    finished.catch(() => undefined); // handled where it is raced
    const off = eventChannel.onRaw('NodeRuntime.waitingForDisconnect', () => finishedEarly());
    try {
      return await Promise.race([EvalSession.#prepare(evalChannel, eventChannel, options), finished]);
    } catch (err) {
      await Promise.all([evalChannel.close(), eventChannel.close()]);
      throw err;
    } finally {
      off();
    }
  }

  static async #prepare(evalChannel: Channel, eventChannel: Channel, options: SessionOptions): Promise<EvalSession> {
    const inProcess = options.inProcess ?? false;
    if (!inProcess) await eventChannel.sendRaw('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true });
    const expression = options.worker ? installWorkerAgent(options.worker.file) : INSTALL_AGENT;
    // Without the command-line API where Node has process.getBuiltinModule (see agent.ts BUILTINS); with it
    // on older releases, which the agent says.
    let commandLineApi = false;
    const install = () => evalChannel.send('Runtime.evaluate', { expression, includeCommandLineAPI: commandLineApi, returnByValue: true });
    let installed = await install();
    // Only where the agent had no `require` (never for a program that is exiting: there the command-line API
    // is what crashes Node 20).
    if (installed.result?.value === NEEDS_COMMAND_LINE_API) {
      commandLineApi = true;
      installed = await install();
    }
    if (installed.exceptionDetails && !inProcess) {
      // A program held by --inspect-wait (Node 22+) is stopped before its bootstrap completes, when not
      // even `require` works yet: let it start, then install once it can load modules.
      await evalChannel.send('Runtime.runIfWaitingForDebugger');
      const deadline = Date.now() + BOOTSTRAP_WAIT_MS;
      while (installed.exceptionDetails && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        installed = await install();
      }
    }
    if (installed.exceptionDetails) {
      throw new TargetClosedError(
        `cannot prepare the console in the target: ${installed.exceptionDetails.exception?.description ?? installed.exceptionDetails.text}`,
      );
    }
    const { names } = await evalChannel.send('Runtime.globalLexicalScopeNames');
    // `ainput` / `aprint` only in another process: in its own process a program imports anode's (library).
    const wanted = ['_', '_error', 'require', 'main', 'scope', ...COMMAND_LINE_API_NAMES, ...(inProcess ? [] : CONSOLE_IO_NAMES)];
    const free = await evalValue<string[]>(
      evalChannel,
      `(${FREE_NAMES})(${JSON.stringify(wanted)}, ${JSON.stringify([...new Set(names)])})`,
    );
    // Bindings declared by an earlier anode session are ours too (the agent is shared).
    const ours = wanted.filter((n) => free.includes(n) || names.includes(n));
    const info = await evalValue<TargetInfo>(
      evalChannel,
      `({ pid: process.pid, nodeVersion: process.version, mainFile: ${AGENT_REF}.mainFile, argv: process.argv, typescript: ${AGENT_REF}.typescript })`,
    );
    // A REPL-mode evaluation does not complete while a --wait program is held: release it first.
    if (!inProcess) await evalChannel.send('Runtime.runIfWaitingForDebugger');
    if (free.length > 0) {
      // The reply of a REPL-mode evaluation is its promise's, which a program still in Node's bootstrap
      // (connected right after `Debugger listening`) may never settle, and which Node 22/24 may lose
      // ("Promise was collected"). It is waited for alone, a moment: a command sent behind a REPL-mode
      // evaluation delays its reply about 40 ms, and the next REPL-mode evaluation (the first entry) with
      // it. Late or lost, the declarations themselves ran synchronously: the next command, which the
      // inspector answers in order, confirms them; only if they are missing is the reply awaited.
      const declared = evalChannel.send('Runtime.evaluate', { expression: `${bindingsSource(free)}\n${commandLineApiSource(free)}`, replMode: true });
      declared.catch((err: unknown) => ignored('the reply to declaring the console bindings', err));
      if (!(await settlesWithin(declared, DECLARE_WAIT_MS))) {
        const { names: after } = await evalChannel.send('Runtime.globalLexicalScopeNames');
        // (`ainput` / `aprint` are free but never declared: see bindingsSource.)
        if (!free.every((n) => after.includes(n) || (CONSOLE_IO_NAMES as readonly string[]).includes(n))) {
          await declared.catch((err: unknown) => {
            if (!isPromiseCollected(err)) throw err;
          });
        }
      }
    }
    return new EvalSession(evalChannel, eventChannel, info, ours, inProcess);
  }

  /** A fresh script name (`REPL7`), unique in this session: stacks show it, interrupts look for it. */
  nextScriptName(): string {
    this.#seq += 1;
    return `REPL${this.#seq}`;
  }

  /** True when the console owns binding `name` (it was free when the session began). */
  hasBinding(name: string): boolean {
    return this.#bindings.has(name);
  }

  /** Re-reads the entry module's exports into `main` (cheap; only when a line mentions `main`). */
  async refreshMain(): Promise<void> {
    if (!this.#bindings.has('main') || this.#mainLoaded) return;
    const loading = this.evalChannel.send('Runtime.evaluate', {
      expression: `${AGENT_REF}.loadMain().then((m) => Object.prototype.toString.call(m) === '[object Module]')`,
      awaitPromise: true,
      returnByValue: true,
    });
    // A lost reply ("Promise was collected") leaves `main` as it was: it is read again next time.
    const r = await loading.catch((err: unknown) => {
      if (!isPromiseCollected(err)) throw err;
      ignored('the reply to loading `main`', err);
      return undefined;
    });
    if (!r) return;
    // An ESM namespace is live: load it once. CommonJS exports may be replaced: re-read each time.
    if (r.result.value === true) this.#mainLoaded = true;
  }

  /**
   * Stops the evaluation named `scriptName` if (and only if) its code is what is running right now:
   * pauses the target, looks at the stack, terminates only console code, resumes. When the target is idle
   * (the entry is waiting on a promise) nothing is stopped and the caller just stops waiting.
   */
  interrupt(scriptName: string): Promise<InterruptResult> {
    if (this.#inProcess) return Promise.resolve('abandoned');
    return this.exclusive(() => stopEntries(this.eventChannel, { url: (url) => url === scriptName }));
  }

  /**
   * True when another debugger (DevTools, a breakpoint) holds the program paused: then an entry cannot
   * complete until it resumes. Enabling the debugger replays `Debugger.paused` before its reply; the
   * disable is sent right behind it, so the check ends even if the answers are late.
   */
  async pausedElsewhere(): Promise<boolean> {
    if (this.#inProcess) return false;
    const ch = this.eventChannel;
    let paused = false;
    const off = ch.on('Debugger.paused', () => (paused = true));
    let timer: NodeJS.Timeout | undefined;
    try {
      // Both requests are sent at once, in turn with the other Debugger users (an interrupt); the answers
      // are awaited outside that turn, so a program that answers nothing (SIGSTOP) holds up no Ctrl-C.
      const enabled = await this.exclusive(async () => {
        const sent = ch.send('Debugger.enable').then(() => paused);
        ch.send('Debugger.disable').catch((err: unknown) => ignored('disabling the debugger after an interrupt', err));
        return { sent };
      });
      const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ANSWER_WAIT_MS, false)));
      return await Promise.race([enabled.sent, late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      off();
    }
  }

  /** Runs `task` alone among the event channel's Debugger users (interrupts, `.scope`), in order. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#debuggerQueue.then(task);
    this.#debuggerQueue = run.catch(() => undefined); // its failure is the caller's (run is returned)
    return run;
  }

  /** Leaves the target: closes both connections (the program keeps running unless it had finished). */
  async close(): Promise<void> {
    await Promise.all([this.evalChannel.close(), this.eventChannel.close()]);
  }
}

