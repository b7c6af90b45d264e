// Preparing and cleaning a unix socket path: the directory is made 0700 if anode makes it; a directory
// another user controls (owns, or may write to without the sticky bit), a path longer than the kernel
// takes, and a socket of another user are refused with one line; a stale socket of ours is replaced, a
// live one or any other kind of file is never touched.
import { lstatSync, type Stats } from 'node:fs';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { ServeError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { processTable } from '../program/process-table.js';

/** The longest socket path the kernel takes (sun_path, less its NUL): 107 bytes on Linux, 103 on BSDs and macOS. */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/**
 * Throws ServeError (one line) when `socketPath` cannot be served safely: too long for the kernel (libuv
 * would cut it silently on some Node versions), or in a directory another user could swap the socket in.
 * Synchronous and side-effect free: run before anything starts or listens.
 */
export function checkSocketPath(socketPath: string): void {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH) {
    throw new ServeError(`the socket path ${socketPath} is ${bytes} bytes long; the limit here is ${MAX_SOCKET_PATH}: choose a shorter one`);
  }
  // The directory and every one above it: another user who owns one, or may write in it (no sticky bit),
  // could rename it or replace the socket with their own, and read the token and everything typed.
  for (let dir = path.dirname(path.resolve(socketPath)); ; dir = path.dirname(dir)) {
    let stat: Stats | undefined;
    try {
      stat = lstatSync(dir);
    } catch (err) {
      ignored(`stat of ${dir}`, err); // not made yet: anode makes it, 0700
    }
    if (stat) refuseUnsafeDirectory(dir, stat);
    if (dir === path.dirname(dir)) break;
  }
  let existing: Stats | undefined;
  try {
    existing = lstatSync(socketPath);
  } catch (err) {
    ignored(`stat of ${socketPath}`, err); // nothing there: the usual case
  }
  const me = process.getuid?.();
  if (existing?.isSocket() && me !== undefined && existing.uid !== me) {
    throw new ServeError(`${socketPath} is a socket of ${owner(existing.uid)}; anode will not replace another user's socket, stale or not: choose another path`);
  }
}

function refuseUnsafeDirectory(dir: string, stat: Stats): void {
  const me = process.getuid?.();
  if (me === undefined) return;
  if (stat.uid !== me && stat.uid !== 0) {
    throw new ServeError(`${dir} belongs to ${owner(stat.uid)}, who could replace the socket: serve from a directory of yours (e.g. $XDG_RUNTIME_DIR)`);
  }
  if (stat.isDirectory() && (stat.mode & 0o022) !== 0 && (stat.mode & 0o1000) === 0) {
    throw new ServeError(`${dir} is writable by other users (mode ${(stat.mode & 0o7777).toString(8)}, no sticky bit), who could replace the socket: serve from a private directory`);
  }
}

/** Makes `socketPath` ready to listen on, or throws ServeError saying why it cannot be. */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  checkSocketPath(socketPath);
  const dir = path.dirname(path.resolve(socketPath));
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    throw new ServeError(`cannot create the directory ${dir} for the socket: ${err.code ?? err.message}`, err);
  });
  // Made just now, or changed meanwhile: looked at again.
  checkSocketPath(socketPath);
  const stat = await lstat(socketPath).catch((err: unknown) => ignored(`no socket file at ${socketPath} yet`, err));
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new ServeError(`${socketPath} exists and is not a socket; anode will not remove it: choose another path`);
  }
  const me = process.getuid?.();
  const live = await isLive(socketPath);
  if (me !== undefined && stat.uid !== me) {
    throw new ServeError(
      `${socketPath} is a ${live ? 'live' : 'stale'} socket of ${owner(stat.uid)}; anode will not ${live ? 'use' : 'replace'} it: choose another path`,
    );
  }
  if (live) {
    throw new ServeError(`${socketPath} is in use by another server: choose another path or stop that server`);
  }
  await unlink(socketPath).catch((err: unknown) => ignored(`removing the stale socket ${socketPath}`, err));
}

/** Removes the socket file at `socketPath` if (and only if) it is still a socket, and ours. */
export async function removeSocket(socketPath: string): Promise<void> {
  const stat = await lstat(socketPath).catch((err: unknown) => ignored(`no socket file at ${socketPath} to remove`, err));
  const me = process.getuid?.();
  if (stat?.isSocket() && (me === undefined || stat.uid === me)) {
    await unlink(socketPath).catch((err: unknown) => ignored(`removing the socket ${socketPath}`, err));
  }
}

function owner(uid: number): string {
  const name = processTable().userName(uid);
  return name ? `user ${name} (uid ${uid})` : `uid ${uid}`;
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
