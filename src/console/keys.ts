// readline's key handler, wrapped the way Node's REPL wraps it (lib/repl.js overrides `_ttyWrite`): editor
// mode and the eager preview see each key before (and after) readline acts on it.
import type * as readline from 'node:readline';

/** A key as readline's keypress decoder describes it. */
export interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

/** readline's Interface with the internals Node's own REPL uses. */
export type TtyInterface = readline.Interface & {
  line: string;
  cursor: number;
  _ttyWrite(data: string, key: Key): void;
};

/** Routes every key of a terminal interface through `hook`; `next` is readline's own handling. */
export function interceptKeys(
  rl: readline.Interface,
  hook: (data: string, key: Key, next: (data: string, key: Key) => void) => void,
): void {
  const tty = rl as TtyInterface;
  const original = tty._ttyWrite.bind(tty);
  tty._ttyWrite = (data, key) => hook(data, key ?? {}, original);
}
