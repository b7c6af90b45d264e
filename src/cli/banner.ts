// The console's opening lines: which program, which process, which Node, and what works.
import path from 'node:path';
import { workingDirectory } from '../program/cwd.js';
import type { TargetInfo } from '../session/session.js';

/** `anode — console into app.js (pid 42, Node v20.20.2)` plus a hint line. */
export function banner(info: TargetInfo, verb = 'console into'): string {
  const cwd = workingDirectory();
  const what = info.mainFile ? (cwd !== undefined && path.relative(cwd, info.mainFile)) || info.mainFile : 'an empty node process';
  return (
    `anode: ${verb} ${what} (pid ${info.pid}, Node ${info.nodeVersion})\n` +
    'Top-level await works; `main` is the entry module, `require` resolves like the program. ' +
    'Ctrl+C interrupts, .help for more.'
  );
}
