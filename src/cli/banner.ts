// The console's opening lines: which program, which process, which Node, and what works.
import path from 'node:path';
import { workingDirectory } from '../program/cwd.js';
import type { TargetInfo } from '../session/session.js';

/** `anode — console into app.js (pid 42, Node v20.20.2)` plus a hint line. */
export function banner(info: TargetInfo, verb = 'console into'): string {
  const cwd = workingDirectory();
  const what = info.mainFile ? (cwd !== undefined && path.relative(cwd, info.mainFile)) || info.mainFile : 'an empty node process';
  // An empty process has no entry module: no `main` to speak of.
  const modules = info.mainFile ? '`main` is the entry module, `require` resolves like the program' : '`require` works';
  return (
    `anode: ${verb} ${what} (pid ${info.pid}, Node ${info.nodeVersion})
` +
    `Top-level await works; ${modules}. Ctrl+C interrupts, .help for more.` +
    typescriptLine(info)
  );
}

/** What the console does with TypeScript, for a TypeScript program. */
function typescriptLine(info: TargetInfo): string {
  if (info.typescript === 'strip') return '\nTypeScript accepted: entries have their types stripped (Node\'s module.stripTypeScriptTypes).';
  if (info.typescript === 'unavailable') {
    return `\nTypeScript program, but Node ${info.nodeVersion} has no module.stripTypeScriptTypes (22.13+): type entries as JavaScript.`;
  }
  return '';
}
