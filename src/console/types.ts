// What the console engine needs from whatever runs its entries (a CDP session, or a test's fake).

import type { EvalOutcome, EvaluateOptions } from '../session/evaluator.js';
import type { EvalSession } from '../session/session.js';

export type { EvalOutcome, EvaluateOptions };


/** Evaluates complete entries; an aborted signal interrupts the running one. */
export interface LineEvaluator {
  evaluate(code: string, options?: EvaluateOptions): Promise<EvalOutcome>;
  /** Tab completion: candidates and the substring they complete (readline's completer contract). */
  complete?(line: string): Promise<[string[], string]>;
  /** The program's own console output, for `.console on` (and `--console`); returns unsubscribe. */
  watchOutput?(listener: (text: string) => void): () => void;
  /**
   * Resolves once the program's output logged so far has reached watchOutput's listeners (`leaving`: the
   * console is ending, and waits until the program's lines stop coming; the caller bounds the wait).
   */
  settleOutput?(options?: { leaving?: boolean }): Promise<void>;
  /** `.scope [FILE]`: the top-level variables of the program's entry module (or FILE), as text (undefined: it cannot read scopes). */
  scope?(file?: string): Promise<string | undefined>;
  /** The eager preview of a line's result, styled, at most `maxWidth` columns (undefined: none). */
  preview?(code: string, maxWidth: number): Promise<string | undefined>;
  /** Moving between the program's threads (`.workers`, `.worker ID`), when the evaluator can. */
  readonly targets?: ConsoleTargets;
  /** The session `.loop`, `.profile`, `.heap` and `.heapsnapshot` inspect, with this console's colours. */
  inspection?(): Inspection;
  /** The served console that runs those commands for this one (`anode connect`), when it can (undefined: it cannot). */
  remoteInspection?(): RemoteInspection | undefined;
}

/** A console that can move between the targets of one program: its main thread and its worker threads. */
export interface ConsoleTargets {
  /** Where entries run, for the prompt: '' in the main thread, `worker 2` in worker thread 2. */
  where(): string;
  /** Runs a target command (`workers`, `worker` with its argument); resolves with what to print. */
  command(name: string, arg: string): Promise<string>;
  /** Notices about where the console is (its worker exited: it is back in the main thread); returns unsubscribe. */
  onNotice(listener: (text: string) => void): () => void;
}

/** What the commands that look inside the program work with. */
export interface Inspection {
  session: EvalSession;
  colors: boolean;
}

/** The commands that look inside the program. */
export type InspectCommand = 'loop' | 'profile' | 'heap' | 'heapsnapshot';

/** What a loop command run elsewhere tells this console while it runs. */
export interface InspectEvents {
  /** Aborting it ends a recording early (a snapshot: its data is no longer sent). */
  signal?: AbortSignal;
  /** The recording started in process `pid` (a default file name carries it). */
  started?(pid: number): void;
  /** How far it is, as one line. */
  progress?(text: string): void;
  /** The next piece of the recorded file, in order. */
  chunk?(data: string): void;
}

/** A served console running the loop commands on its program for this console; their files come here. */
export interface RemoteInspection {
  /** Runs `command` (`arg`: `.loop`'s words, or the seconds); resolves with what to print and how long it recorded. */
  run(command: InspectCommand, arg: string, events: InspectEvents): Promise<{ text: string; ms?: number | undefined }>;
}

/** Why a console ended. */
export type ConsoleEnd = 'eof' | 'exit' | 'closed';
