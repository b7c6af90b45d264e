// What anode reads about another process, behind one interface: its identity (pid, parent, owner, start
// time, executable, command line, how it handles SIGUSR1), its environment, its listening and accepted TCP
// sockets. Linux reads /proc (process-table-linux.ts); elsewhere `ps` and `lsof` answer
// (process-table-portable.ts). Nothing here sends anything to the process.
import { isAnodeError, UnsupportedPlatformError } from '../errors.js';
import { ignored } from '../log/debug.js';
import { linuxProcessTable } from './process-table-linux.js';
import { portableProcessTable } from './process-table-portable.js';

/** How a process handles SIGUSR1 (which opens a Node.js inspector): 'default' means it would die of it. */
export type Sigusr1Handling = 'caught' | 'blocked' | 'ignored' | 'default';

/** A process as a listing shows it (zombies are left out: they have exited). */
export interface ProcessEntry {
  pid: number;
  /** Parent pid. */
  ppid: number;
  /** Real user id. */
  uid: number;
  /** Its command line (the portable table splits it at spaces: an argument holding a space is split too). */
  argv: string[];
  /** Its executable, when asked for and readable. */
  exe?: string | undefined;
}

/** What tells a process from a later one with the same pid, and what anode checks before signalling it. */
export interface ProcessIdentity extends ProcessEntry {
  /** Opaque, compared for equality only: a reused pid has another. */
  startTime: string;
  /** undefined when it cannot be read (another user's process). */
  exe: string | undefined;
  sigusr1: Sigusr1Handling;
}

/** A listening (or connected) TCP socket: a key that tells it from another, and its local address. */
export interface ListeningSocket {
  /** The socket's inode on Linux; lsof's device column elsewhere. Compared for equality only. */
  inode: string;
  host: string;
  port: number;
}

/** A live member of a process group. */
export interface GroupMember {
  pid: number;
  /** Its whole command line. */
  command: string;
}

/** Everything anode reads about processes; one implementation per platform. */
export interface ProcessTable {
  readonly kind: 'linux' | 'portable';
  /**
   * The identity of `pid` now, read synchronously so that nothing runs between this and a signal that
   * follows it; undefined when the process is gone or a zombie.
   */
  identitySync(pid: number): ProcessIdentity | undefined;
  identity(pid: number): Promise<ProcessIdentity | undefined>;
  /** One environment variable of the process, when this user may read it (undefined otherwise). */
  environmentVariable(pid: number, name: string): Promise<string | undefined>;
  /** Live processes (of `uid`, when given); `executables` also fills in `exe` (costs more). */
  list(options?: { uid?: number | undefined; executables?: boolean }): Promise<ProcessEntry[]>;
  /** The live (not zombie) members of process group `pgid`, read synchronously (anode polls it on the way out). */
  groupMembers(pgid: number): GroupMember[];
  /** The TCP sockets the process itself listens on (rejects when it is gone). */
  listening(pid: number): Promise<ListeningSocket[]>;
  /** Every socket listening on `port` in the process's network, whoever owns it (as far as this user sees). */
  listeningOnPort(pid: number, port: number): Promise<ListeningSocket[]>;
  /** How many connections the process has accepted on its listening `port` (clients connected to it). */
  acceptedConnections(pid: number, port: number): Promise<number>;
  /** True when `pid` shares this process's network (so its 127.0.0.1 is ours); unknown counts as true. */
  sameNetwork(pid: number): Promise<boolean>;
  /** The login name of `uid`, if it has one. */
  userName(uid: number): string | undefined;
}

/** The environment variable that picks an implementation (`linux` or `portable`): for anode's own tests. */
export const PROCESS_TABLE_ENV = 'ANODE_PROCESS_TABLE';

let chosen: ProcessTable | undefined;

/** This platform's process table; throws UnsupportedPlatformError where neither /proc nor ps/lsof serve. */
export function processTable(): ProcessTable {
  if (chosen) return chosen;
  const wanted = process.env[PROCESS_TABLE_ENV];
  if (wanted === 'linux' || (wanted === undefined && process.platform === 'linux')) chosen = linuxProcessTable;
  else if (wanted === 'portable' || (wanted === undefined && PORTABLE_PLATFORMS.has(process.platform))) chosen = portableProcessTable;
  else throw new UnsupportedPlatformError(process.platform, 'attaching by pid and `anode ps`', 'attach to HOST:PORT or a ws:// URL of an inspector instead');
  return chosen;
}

/** Platforms with a BSD or POSIX `ps` and `lsof`. */
const PORTABLE_PLATFORMS = new Set<NodeJS.Platform>(['darwin', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix']);

/**
 * True when `pid` is a live process here (not a zombie) running `execPath`: how anode tells a program
 * whose inspector connection was lost from one that died, when the program reported no exit code.
 */
export function runsHere(pid: number, execPath: string | undefined): boolean {
  try {
    return processTable().identitySync(pid)?.exe === execPath;
  } catch (err) {
    // No process table here (attached by address on an unsupported platform): it cannot be told.
    if (!isAnodeError(err, 'ANODE_UNSUPPORTED_PLATFORM')) throw err;
    ignored(`whether pid ${pid} still runs`, err);
    return false;
  }
}
