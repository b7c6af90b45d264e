// The process table where there is no /proc (macOS, the BSDs): `ps` for identity and listings, `lsof` for
// executables and sockets. What they cannot tell: another process's environment (so NODE_OPTIONS is not
// read), network namespaces (assumed shared), and sockets of other users' processes (not listed to a
// non-root user). Command lines come back joined by spaces and are split at spaces. The parsers take text
// so they can be tested on their own; on Linux anode's tests run this table too (procps ps, lsof).
import { execFile, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { ProcessToolError } from '../errors.js';
import { ignored } from '../log/debug.js';
import type { GroupMember, ListeningSocket, ProcessEntry, ProcessIdentity, ProcessTable, Sigusr1Handling } from './process-table.js';

/** Fixed-format output whatever the user's locale (lstart is a date). */
const ENV = { ...process.env, LC_ALL: 'C' };
const TOOL_TIMEOUT_MS = 10_000;
const IDENTITY_COLUMNS = 'pid=,ppid=,uid=,stat=,caught=,ignored=,blocked=,lstart=,args=';
const SIGUSR1_BIT = 1n << BigInt((constants.signals.SIGUSR1 ?? 10) - 1);

/** Parses one line of `ps -o pid=,ppid=,uid=,stat=,caught=,ignored=,blocked=,lstart=,args=`. */
export function parsePsIdentity(line: string): Omit<ProcessIdentity, 'exe'> & { zombie: boolean } | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(?:0x)?([0-9a-f]+)\s+(?:0x)?([0-9a-f]+)\s+(?:0x)?([0-9a-f]+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d+)(?:\s(.*))?$/i.exec(line);
  if (!m) return undefined;
  const has = (mask: string): boolean => (BigInt(`0x${mask}`) & SIGUSR1_BIT) !== 0n;
  const sigusr1: Sigusr1Handling = has(m[5]!) ? 'caught' : has(m[6]!) ? 'ignored' : has(m[7]!) ? 'blocked' : 'default';
  return {
    pid: Number(m[1]),
    ppid: Number(m[2]),
    uid: Number(m[3]),
    zombie: m[4]!.startsWith('Z'),
    sigusr1,
    startTime: m[8]!.replace(/\s+/g, ' '),
    argv: splitArgs(m[9] ?? ''),
  };
}

/** Parses the lines of `ps -o pid=,ppid=,uid=,stat=,args=`, zombies left out. */
export function parsePsList(text: string): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (!m || m[4]!.startsWith('Z')) continue;
    entries.push({ pid: Number(m[1]), ppid: Number(m[2]), uid: Number(m[3]), argv: splitArgs(m[5] ?? '') });
  }
  return entries;
}

/** The live members of group `pgid` in the lines of `ps -o pid=,pgid=,stat=,args=` (zombies left out). */
export function parsePsGroup(text: string, pgid: number): GroupMember[] {
  const members: GroupMember[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (!m || Number(m[2]) !== pgid || m[3]!.startsWith('Z')) continue;
    members.push({ pid: Number(m[1]), command: (m[4] ?? '').trim() });
  }
  return members;
}

function splitArgs(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
}

/** One file of `lsof -F` output: the process it belongs to and its fields by letter. */
interface LsofFile {
  pid: number;
  fields: Map<string, string>;
}

/** Parses `lsof -F` output (one field a line, `p` starts a process, `f` a file). */
export function parseLsof(text: string): LsofFile[] {
  const files: LsofFile[] = [];
  let pid = 0;
  let current: LsofFile | undefined;
  for (const line of text.split('\n')) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      pid = Number(value);
      current = undefined;
    } else if (tag === 'f') {
      current = { pid, fields: new Map([['f', value]]) };
      files.push(current);
    } else if (tag && current) {
      current.fields.set(tag, value);
    }
  }
  return files;
}

/** `HOST:PORT` of an lsof name (`127.0.0.1:9229`, `[::1]:9229`, `*:9229`); `type` IPv4/IPv6 places a wildcard. */
export function parseLsofAddress(name: string, type = 'IPv4'): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]+|\*):(\d+)$/.exec(name);
  if (!m) return undefined;
  const host = m[1] === '*' ? (type === 'IPv6' ? '::' : '0.0.0.0') : m[1]!.replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}

/** The listening sockets of parsed `lsof -F fdtn` output. */
export function lsofSockets(files: LsofFile[]): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const file of files) {
    const address = parseLsofAddress(file.fields.get('n') ?? '', file.fields.get('t'));
    if (!address) continue;
    // The device column holds the socket's inode on Linux and its kernel address on macOS: unique either way.
    sockets.push({ inode: `${file.pid}:${file.fields.get('d') ?? `fd${file.fields.get('f')}`}`, ...address });
  }
  return sockets;
}

/** How many parsed `lsof -F fn` connections (`LOCAL->REMOTE`) have the local `port`. */
export function lsofAccepted(files: LsofFile[], port: number): number {
  return files.filter((f) => {
    const local = (f.fields.get('n') ?? '').split('->')[0] ?? '';
    return f.fields.get('n')?.includes('->') && parseLsofAddress(local)?.port === port;
  }).length;
}

/** The first executable (`txt`) file of each process in parsed `lsof -d txt -F fn` output. */
export function lsofExecutables(files: LsofFile[]): Map<number, string> {
  const exes = new Map<number, string>();
  for (const f of files) {
    const name = f.fields.get('n');
    if (name && !exes.has(f.pid)) exes.set(f.pid, name);
  }
  return exes;
}

/** `ps` or `lsof`'s output; `lsof` exits 1 when it found nothing, which is an empty answer. */
function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env: ENV, timeout: TOOL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (!err) resolve(stdout);
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(missing(tool, err));
      else if (err.code === 1) resolve(stdout);
      else reject(new ProcessToolError(tool, `failed: ${err.message}`, err));
    });
  });
}

function runSync(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { env: ENV, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw missing(tool, result.error);
  if (result.error) throw new ProcessToolError(tool, `failed: ${result.error.message}`, result.error);
  return result.stdout;
}

function missing(tool: string, cause: unknown): ProcessToolError {
  return new ProcessToolError(tool, 'is not installed: install it (anode reads processes and their sockets with ps and lsof here)', cause);
}

function executableSync(pid: number): string | undefined {
  return lsofExecutables(parseLsof(runSync('lsof', ['-a', '-p', String(pid), '-d', 'txt', '-F', 'fn']))).get(pid);
}

function identitySync(pid: number): ProcessIdentity | undefined {
  const found = parsePsIdentity(runSync('ps', ['-ww', '-o', IDENTITY_COLUMNS, '-p', String(pid)]).trim());
  if (!found || found.pid !== pid || found.zombie) return undefined;
  const { zombie: _, ...identity } = found;
  return { ...identity, exe: executableSync(pid) };
}

async function sockets(args: string[]): Promise<ListeningSocket[]> {
  return lsofSockets(parseLsof(await run('lsof', ['-n', '-P', '-F', 'fdtn', ...args])));
}

export const portableProcessTable: ProcessTable = {
  kind: 'portable',
  identitySync,
  identity: async (pid) => identitySync(pid),
  environmentVariable: (pid, name) => {
    ignored(`the environment of pid ${pid} (${name})`, new Error('ps and lsof do not show another process its environment'));
    return Promise.resolve(undefined);
  },
  async list(options = {}) {
    const all = parsePsList(await run('ps', ['-A', '-ww', '-o', 'pid=,ppid=,uid=,stat=,args=']));
    const entries = options.uid === undefined ? all : all.filter((e) => e.uid === options.uid);
    if (!options.executables || entries.length === 0) return entries;
    const exes = lsofExecutables(parseLsof(await run('lsof', ['-a', ...(options.uid !== undefined ? ['-u', String(options.uid)] : []), '-d', 'txt', '-F', 'fn'])));
    return entries.map((e) => ({ ...e, exe: exes.get(e.pid) }));
  },
  groupMembers: (pgid) => parsePsGroup(runSync('ps', ['-A', '-ww', '-o', 'pid=,pgid=,stat=,args=']), pgid),
  async listening(pid) {
    process.kill(pid, 0); // throws (ESRCH) when it is gone, like reading a gone pid's /proc
    return sockets(['-a', '-p', String(pid), '-iTCP', '-sTCP:LISTEN']);
  },
  listeningOnPort: (_pid, port) => sockets([`-iTCP:${port}`, '-sTCP:LISTEN']),
  async acceptedConnections(pid, port) {
    return lsofAccepted(parseLsof(await run('lsof', ['-a', '-p', String(pid), '-iTCP', '-sTCP:ESTABLISHED', '-n', '-P', '-F', 'fn'])), port);
  },
  sameNetwork: () => Promise.resolve(true),
  userName(uid) {
    try {
      const name = runSync('id', ['-nu', String(uid)]).trim();
      return name === '' ? undefined : name;
    } catch (err) {
      ignored(`the login name of uid ${uid}`, err);
      return undefined;
    }
  },
};
