// The console's opening lines: which program, which process, which Node, and what works.
import path from 'node:path';
import type { TargetInfo } from '../session/session.js';

/** `anode — console into app.js (pid 42, Node v20.20.2)` plus a hint line. */
export function banner(info: TargetInfo, verb = 'console into'): string {
  const what = info.mainFile ? path.relative(process.cwd(), info.mainFile) || info.mainFile : 'an empty node process';
  // An empty process has no entry module: no `main` to speak of.
  const modules = info.mainFile ? '`main` is the entry module, `require` resolves like the program' : '`require` works';
  return `anode: ${verb} ${what} (pid ${info.pid}, Node ${info.nodeVersion})\nTop-level await works; ${modules}. Ctrl+C interrupts, .help for more.`;
}
