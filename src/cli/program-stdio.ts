// Where the output of a program anode runs goes: it inherits anode's stdout, and its stderr is passed on
// to anode's. A terminal shows it already (the console does not mirror it again), and so does the place
// the console itself writes to (`2>&1`: the output is among the console's results); any other file or
// pipe is named, once, when an entry first logs, so a bare `undefined` does not leave the user wondering.
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import { ignored } from '../log/debug.js';
import { consoleOutput } from './terminal.js';

export interface StreamPlace {
  /** The user sees it already: a terminal, or the file the console writes to. */
  shown: boolean;
  /** `echo.log`, `a pipe`, ...: where the stream goes, for a notice. */
  where: string;
}

export interface ProgramStdio {
  stdout: StreamPlace;
  stderr: StreamPlace;
}

/** Where a program started by `anode run` writes, judged from anode's own fd 1 and 2. */
export function programStdio(): ProgramStdio {
  const consoleFile = consoleOutput() === process.stderr ? fileOf(2) : undefined;
  const place = (fd: number): StreamPlace => {
    const at = placeOf(fd);
    return at.shown || !consoleFile || !sameFile(fileOf(fd), consoleFile) ? at : { ...at, shown: true };
  };
  return { stdout: place(1), stderr: place(2) };
}

function fileOf(fd: number): fs.Stats | undefined {
  try {
    return fs.fstatSync(fd);
  } catch (err) {
    ignored(`finding where fd ${fd} goes`, err);
    return undefined;
  }
}

function sameFile(a: fs.Stats | undefined, b: fs.Stats): boolean {
  return a !== undefined && a.dev === b.dev && a.ino === b.ino;
}

function placeOf(fd: number): StreamPlace {
  if (tty.isatty(fd)) return { shown: true, where: 'the terminal' };
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
  return { shown: false, where };
}

/** The notice for the first message an entry logs to a stream that is not the terminal. */
export function outputNotice(stream: 'stdout' | 'stderr', place: StreamPlace): string {
  const method = stream === 'stdout' ? 'console.log' : 'console.error';
  return `anode: ${method} output of the program goes to its ${stream}: ${place.where}`;
}
