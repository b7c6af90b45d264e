// Finding the program to run: a file path, or (`-m NAME`) a package executable from node_modules/.bin
// the way npx finds it, walking up from the working directory.
import { access, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ProgramNotFoundError } from '../errors.js';
import { workingDirectory } from './cwd.js';
import { ignored } from '../log/debug.js';

const NO_CWD = 'the working directory no longer exists: give an absolute path, or cd to an existing directory';

/** Absolute, existing path of a program file. */
export async function resolveProgram(file: string, cwd = workingDirectory()): Promise<string> {
  if (cwd === undefined && !path.isAbsolute(file)) throw new ProgramNotFoundError(file, NO_CWD);
  const full = cwd === undefined ? path.normalize(file) : path.resolve(cwd, file);
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new Error('not a file');
    await access(full);
  } catch (err) {
    throw new ProgramNotFoundError(file, 'check the path', err);
  }
  return full;
}

/** The JavaScript file behind `node_modules/.bin/NAME`, searched from `cwd` upwards. */
export async function resolveModuleBin(name: string, cwd = workingDirectory()): Promise<string> {
  if (cwd === undefined) throw new ProgramNotFoundError(name, NO_CWD);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', name);
    const target = await realpath(candidate).catch((err: unknown) => ignored(`no ${candidate}`, err));
    if (target) {
      const head = (await readFile(target, 'utf8').catch(() => '')).slice(0, 200);
      if (/\.[cm]?js$/.test(target) || /^#!.*\bnode\b/.test(head)) return target;
      throw new ProgramNotFoundError(name, `${target} is not a Node.js script`);
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ProgramNotFoundError(name, 'no executable of that name in node_modules/.bin (is the package installed?)');
}
