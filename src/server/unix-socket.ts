// Preparing and cleaning a unix socket path: the directory is made 0700 if anode makes it, a stale socket
// is replaced, a live one or any other kind of file is never touched.
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { ServeError } from '../errors.js';

/** Makes `socketPath` ready to listen on, or throws ServeError saying why it cannot be. */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  const dir = path.dirname(path.resolve(socketPath));
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    throw new ServeError(`cannot create the directory ${dir} for the socket: ${err.code ?? err.message}`, err);
  });
  const stat = await lstat(socketPath).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new ServeError(`${socketPath} exists and is not a socket; anode will not remove it: choose another path`);
  }
  if (await isLive(socketPath)) {
    throw new ServeError(`${socketPath} is in use by another server: choose another path or stop that server`);
  }
  await unlink(socketPath).catch(() => undefined);
}

/** Removes the socket file at `socketPath` if (and only if) it is still a socket. */
export async function removeSocket(socketPath: string): Promise<void> {
  const stat = await lstat(socketPath).catch(() => undefined);
  if (stat?.isSocket()) await unlink(socketPath).catch(() => undefined);
}

function isLive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
