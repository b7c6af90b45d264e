// What the `anode` command clears from its own process as it starts, before anything else runs:
// - inspector flags in NODE_OPTIONS (`--inspect`, `--inspect-brk`, ...): node opened an inspector in anode
//   itself (on 0.0.0.0 for `--inspect=0.0.0.0`), a door into anode, which holds the program's inspector and
//   the token; it is closed, and the flags are dropped so that the program and its children do not open
//   one either (anode gives the program its own, private one);
// - anode's own variables (ANODE_TOKEN, ANODE_REPL_HISTORY): taken into anode (anode-env.ts), so that
//   neither the program nor an anode started from there inherits them;
// - the variables anode passes to the program's preload (ANODE_WAIT, ANODE_KEEPALIVE, ...): found in
//   anode's own environment they are a leftover, never an instruction: dropped, and said so.
// Each clearing is said in one line on stderr.
import inspector from 'node:inspector';
import { setTakenVariables, USER_VARIABLES, type AnodeVariable } from '../anode-env.js';

const PRELOAD_VARIABLES = ['ANODE_CONTROL_FD', 'ANODE_STDERR_FD', 'ANODE_WAIT', 'ANODE_KEEPALIVE'];
const INSPECTOR_FLAG = /^--inspect(-brk|-wait|-port|-publish-uid)?(=|$)/;

/** Clears the above from `process.env` (and closes anode's own inspector); returns the notices to print. */
export function clearOwnEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  const notes: string[] = [];
  const options = env.NODE_OPTIONS;
  if (options !== undefined) {
    const words = options.split(/\s+/).filter(Boolean);
    const dropped = words.filter((w) => INSPECTOR_FLAG.test(w));
    if (dropped.length > 0) {
      const kept = words.filter((w) => !INSPECTOR_FLAG.test(w));
      if (kept.length > 0) env.NODE_OPTIONS = kept.join(' ');
      else delete env.NODE_OPTIONS;
      const wasOpen = inspector.url() !== undefined;
      if (wasOpen) inspector.close();
      notes.push(
        `NODE_OPTIONS asked for an inspector (${dropped.join(' ')}): anode ${wasOpen ? 'closed the one node opened in anode itself' : 'opened none in itself'} and dropped the flag${dropped.length > 1 ? 's' : ''} for the program (anode gives it a private one of its own)`,
      );
    }
  }
  const values: Partial<Record<AnodeVariable, string>> = {};
  for (const name of USER_VARIABLES) {
    if (env[name] === undefined) continue;
    values[name] = env[name];
    delete env[name];
  }
  setTakenVariables(values);
  const leftovers = PRELOAD_VARIABLES.filter((name) => env[name] !== undefined);
  for (const name of leftovers) delete env[name];
  if (leftovers.length > 0) {
    notes.push(`ignored ${leftovers.join(', ')} from the environment: anode sets ${leftovers.length > 1 ? 'those' : 'it'} for the program it starts, never takes ${leftovers.length > 1 ? 'them' : 'it'} from its own (use the options, e.g. --wait)`);
  }
  return notes;
}
