// How a program started through a command (`anode run --npm start`) hands its inspector URL to anode:
// no pipe survives npm and the shell it runs, so the node process that takes the console (the first one
// that runs code outside node_modules: the server, not npm) claims a private directory anode made
// (O_EXCL, so only one does) and renames its URL into it. anode watches that directory.
import { watch, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ignored } from '../log/debug.js';

/** A private directory (0700) for one program's URL; `remove` when done. */
export function makeControlDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'anode-'));
  return {
    dir,
    remove: () => {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (err) {
        ignored(`removing ${dir}`, err);
      }
    },
  };
}

/** Resolves with the URL once a process has written it to `dir`; `stop` ends the wait. */
export function watchForUrl(dir: string): { url: Promise<string>; stop(): void } {
  let stop = (): void => {};
  const url = new Promise<string>((resolve) => {
    const check = (): void => {
      try {
        const text = readFileSync(path.join(dir, 'url'), 'utf8').trim();
        if (text) {
          stop();
          resolve(text);
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ignored('reading the URL file', err);
      }
    };
    const watcher = watch(dir, check);
    watcher.on('error', (err) => ignored('watching the control directory', err));
    stop = () => watcher.close();
    check();
  });
  return { url, stop: () => stop() };
}
