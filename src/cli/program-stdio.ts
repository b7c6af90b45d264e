// Where the output of a program anode runs goes: it inherits anode's stdout, and its stderr is passed on
// to anode's. A terminal shows it already (the console does not mirror it again); a file or a pipe is
// named, once, when an entry first logs, so a bare `undefined` does not leave the user wondering.
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import { ignored } from '../log/debug.js';

export interface StreamPlace {
  terminal: boolean;
  /** `echo.log`, `a pipe`, ...: where the stream goes, for a notice. */
  where: string;
}

export interface ProgramStdio {
  stdout: StreamPlace;
  stderr: StreamPlace;
}

/** Where a program started by `anode run` writes, judged from anode's own fd 1 and 2. */
export function programStdio(): ProgramStdio {
  return { stdout: placeOf(1), stderr: placeOf(2) };
}

function placeOf(fd: number): StreamPlace {
  if (tty.isatty(fd)) return { terminal: true, where: 'the terminal' };
  let where = 'a file';
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFIFO()) where = 'a pipe';
    else if (stat.isSocket()) where = 'a socket';
    else if (stat.isCharacterDevice()) where = fs.readlinkSync(`/proc/self/fd/${fd}`);
    else if (stat.isFile()) {
      const file = fs.readlinkSync(`/proc/self/fd/${fd}`);
      const relative = path.relative(process.cwd(), file);
      where = relative.startsWith('..') ? file : relative;
    }
  } catch (err) {
    ignored(`finding where fd ${fd} goes`, err);
  }
  return { terminal: false, where };
}

/** The notice for the first message an entry logs to a stream that is not the terminal. */
export function outputNotice(stream: 'stdout' | 'stderr', place: StreamPlace): string {
  const method = stream === 'stdout' ? 'console.log' : 'console.error';
  return `anode: ${method} output of the program goes to its ${stream}: ${place.where}`;
}
