// Runs the BUILT anode in a real pseudo-terminal (node-pty): keys go in as bytes, the screen text comes
// back with ANSI sequences stripped, so Tab, Ctrl-C, Ctrl-D and arrows are tested as a user presses them.
import { EventEmitter } from 'node:events';
import pty from 'node-pty';
import { ANODE_BIN, ROOT } from './paths.js';
import { killPid, track } from './processes.js';
import { waitForText } from './wait.js';

export interface PtyAnode {
  readonly pid: number;
  /** Everything written to the terminal, ANSI stripped. */
  text(): string;
  /** Everything written to the terminal, as written. */
  raw(): string;
  write(keys: string): void;
  /** Resizes the terminal (the processes in it get SIGWINCH). */
  resize(cols: number, rows: number): void;
  waitFor(pattern: string | RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Waits until the screen ends with the prompt, after offset `from`. */
  waitForPrompt(from?: number): Promise<void>;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  kill(signal?: NodeJS.Signals): void;
  readonly description: string;
  output(): string;
}

export const KEY = { ctrlC: '\x03', ctrlD: '\x04', tab: '\t', enter: '\r', up: '\x1b[A', down: '\x1b[B', ctrlR: '\x12' };

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/** The environment of an anode in a test terminal: what a user's terminal looks like, plus `more`. */
export function ptyEnv(more: NodeJS.ProcessEnv = {}): Record<string, string> {
  const env = { ...process.env } as Record<string, string>;
  delete env.NO_COLOR;
  env.ANODE_REPL_HISTORY = ''; // tests never touch the user's history unless they ask
  // TERM set, no CI marker (Node's hasColors() says no colour under CI).
  env.TERM = 'xterm-256color';
  delete env.CI;
  env.CONTROLLED_QUIET = '1'; // test/fixtures/controlled.js prints nothing at start-up to race the prompt
  return Object.assign(env, more);
}

/** Starts `anode ...args` in a pseudo-terminal of 120x40. */
export function startAnodePty(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): PtyAnode {
  return startPty(process.execPath, [ANODE_BIN, ...args], { ...options, description: `anode (pty) ${args.join(' ')}` });
}

/** The node that runs the tests, and the path of the built anode, for a command typed into a shell. */
export const ANODE_COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(ANODE_BIN)}`;

/**
 * An interactive bash in a pseudo-terminal (job control on, prompt `$ `, no rc files): for what only a
 * shell does, such as Ctrl-Z and `fg`, or redirections of anode's own streams.
 */
export function startShellPty(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): PtyAnode {
  return startPty('/bin/bash', ['--norc', '--noprofile', '-i'], {
    ...options,
    env: { PS1: '$ ', HISTFILE: '', ...options.env },
    description: 'bash (pty)',
  });
}

/** Starts `file args` in a pseudo-terminal of 120x40. */
export function startPty(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; description: string },
): PtyAnode {
  const env = ptyEnv(options.env);
  const p = pty.spawn(file, args, { cols: 120, rows: 40, cwd: options.cwd ?? ROOT, env });
  let raw = '';
  const events = new EventEmitter();
  events.setMaxListeners(100);
  p.onData((d) => {
    raw += d;
    events.emit('data');
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => p.onExit(resolve));
  void exited.then(() => events.emit('exit'));
  const text = (): string => raw.replace(ANSI, '').replace(/\r/g, '');
  const handle: PtyAnode = {
    pid: p.pid,
    text,
    raw: () => raw,
    description: options.description,
    output: () => text(),
    exited,
    write: (keys) => p.write(keys),
    resize: (cols, rows) => p.resize(cols, rows),
    waitFor(pattern, { from = 0, timeoutMs = 15_000 } = {}) {
      return waitForText({ text, emitter: events, dataEvent: 'data', endEvent: 'exit', describe: text }, pattern, from, timeoutMs);
    },
    async waitForPrompt(from = 0) {
      await handle.waitFor(/> $/, { from });
    },
    kill(signal = 'SIGKILL') {
      killPid(p.pid, signal);
    },
  };
  return track(handle);
}
