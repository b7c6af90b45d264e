// Reading a process from Linux /proc without touching it: its executable, command line, owner, which
// signals it catches, and the TCP sockets it listens on (socket inodes of /proc/PID/fd matched against
// the LISTEN rows of /proc/PID/net/tcp{,6}). The parsers take text so they can be tested on their own.
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** A listening TCP socket: its inode and local address. */
export interface ListeningSocket {
  inode: string;
  host: string;
  port: number;
}

const LISTEN_STATE = '0A';
const SIGUSR1 = 10;

const ESTABLISHED_STATE = '01';

/** The LISTEN rows of a /proc/net/tcp or tcp6 table. */
export function parseListening(table: string): ListeningSocket[] {
  return parseRows(table, LISTEN_STATE);
}

/** The ESTABLISHED rows of a /proc/net/tcp or tcp6 table (host/port are the local end). */
export function parseEstablished(table: string): ListeningSocket[] {
  return parseRows(table, ESTABLISHED_STATE);
}

function parseRows(table: string, wanted: string): ListeningSocket[] {
  const found: ListeningSocket[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    const inode = cols[9];
    if (!local || state !== wanted || !inode || inode === '0') continue;
    const [hexHost, hexPort] = local.split(':');
    if (!hexHost || !hexPort) continue;
    const host = decodeAddress(hexHost);
    if (host === undefined) continue;
    found.push({ inode, host, port: parseInt(hexPort, 16) });
  }
  return found;
}

/** A /proc/net address (host byte order, 32-bit words) as text: `127.0.0.1`, `::1`. */
export function decodeAddress(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const words = hex.match(/.{8}/g) ?? [];
  if (words.length * 8 !== hex.length || (words.length !== 1 && words.length !== 4)) return undefined;
  // Each 32-bit word is stored little-endian: reverse its bytes.
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** Socket inodes among readlink() results of /proc/PID/fd/* (`socket:[12345]`). */
export function socketInodes(links: string[]): Set<string> {
  const inodes = new Set<string>();
  for (const link of links) {
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  return inodes;
}

/** The arguments of a NUL-separated /proc/PID/cmdline. */
export function parseCmdline(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** One variable of a NUL-separated /proc/PID/environ. */
export function environValue(text: string, name: string): string | undefined {
  for (const entry of text.split('\0')) {
    if (entry.startsWith(`${name}=`)) return entry.slice(name.length + 1);
  }
  return undefined;
}

/** What /proc/PID/status says about the owner and the handling of SIGUSR1. */
export interface ProcStatus {
  /** Real user id. */
  uid: number;
  /** 'caught': a handler is installed; 'blocked'/'ignored': it would do nothing; 'default': it kills. */
  sigusr1: 'caught' | 'blocked' | 'ignored' | 'default';
  /** Zombie (exited, not yet reaped). */
  zombie: boolean;
  /** The parent's pid (0 when unknown). */
  ppid: number;
}

/** Parses /proc/PID/status. */
export function parseStatus(text: string): ProcStatus {
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const has = (mask: string): boolean => mask !== '' && (BigInt(`0x${mask}`) & (1n << BigInt(SIGUSR1 - 1))) !== 0n;
  const sigusr1 = has(field('SigCgt'))
    ? 'caught'
    : has(field('SigIgn'))
      ? 'ignored'
      : has(field('SigBlk'))
        ? 'blocked'
        : 'default';
  return { uid: Number(field('Uid').split(/\s+/)[0]), sigusr1, zombie: field('State').startsWith('Z'), ppid: Number(field('PPid')) || 0 };
}

/** The start time of a process (clock ticks after boot) from /proc/PID/stat: field 22, counted after the `(comm)`. */
export function parseStartTime(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): field 22 is fields[19].
  return fields[19] !== undefined && /^\d+$/.test(fields[19]) ? fields[19] : undefined;
}

/** What tells one process from a later one with the same pid: start time, executable and command line. */
export interface ProcessIdentity {
  startTime: string;
  exe: string;
  argv: string[];
}

/**
 * The identity of `pid` now, read synchronously so that nothing else runs between this and a signal that
 * follows it; undefined when the process is gone or a zombie (it has exited).
 */
export function readIdentitySync(pid: number): (ProcessIdentity & { status: ProcStatus }) | undefined {
  try {
    const status = parseStatus(readFileSync(`${procDir(pid)}/status`, 'utf8'));
    const startTime = parseStartTime(readFileSync(`${procDir(pid)}/stat`, 'latin1'));
    if (status.zombie || startTime === undefined) return undefined;
    const exe = cleanExePath(readlinkSync(`${procDir(pid)}/exe`));
    const argv = parseCmdline(readFileSync(`${procDir(pid)}/cmdline`, 'latin1'));
    return { startTime, exe, argv, status };
  } catch {
    return undefined;
  }
}

/** The executable of `/proc/PID/exe`, without the ` (deleted)` mark of a replaced binary. */
export function cleanExePath(link: string): string {
  return link.replace(/ \(deleted\)$/, '');
}

/** True for a node binary's name (`node`, `nodejs`, `node20`, `node-20.1.0`). */
export function isNodeExecutable(exe: string): boolean {
  return /^(node|nodejs)([-_.]?v?\d+(\.\d+)*)?$/.test(path.basename(cleanExePath(exe)));
}

const procDir = (pid: number): string => `/proc/${pid}`;

/** The process's executable path, or undefined when it cannot be read (permission, zombie, gone). */
export async function readExe(pid: number): Promise<string | undefined> {
  try {
    return cleanExePath(await readlink(`${procDir(pid)}/exe`));
  } catch {
    return undefined;
  }
}

/** The process's command line ([] for a kernel thread or a zombie). */
export async function readCmdline(pid: number): Promise<string[]> {
  return parseCmdline(await readFile(`${procDir(pid)}/cmdline`, 'latin1'));
}

/** The process's start time (see parseStartTime). */
export async function readStartTime(pid: number): Promise<string | undefined> {
  return parseStartTime(await readFile(`${procDir(pid)}/stat`, 'latin1'));
}

/** The process's status. */
export async function readStatus(pid: number): Promise<ProcStatus> {
  return parseStatus(await readFile(`${procDir(pid)}/status`, 'utf8'));
}

/** One environment variable of the process, when this user may read its environment. */
export async function readEnvVar(pid: number, name: string): Promise<string | undefined> {
  try {
    return environValue(await readFile(`${procDir(pid)}/environ`, 'latin1'), name);
  } catch {
    return undefined;
  }
}

/** Every listening TCP socket in the process's network namespace (whoever owns it). */
export async function readListeningTable(pid: number): Promise<ListeningSocket[]> {
  return (await readTables(pid)).flatMap(parseListening);
}

async function readTables(pid: number): Promise<string[]> {
  return Promise.all(['tcp', 'tcp6'].map((t) => readFile(`${procDir(pid)}/net/${t}`, 'utf8').catch(() => '')));
}

/** How many connections the process has accepted on its listening `port` (clients connected to it). */
export async function acceptedConnections(pid: number, port: number): Promise<number> {
  const [inodes, tables] = await Promise.all([readSocketInodes(pid), readTables(pid)]);
  return tables.flatMap(parseEstablished).filter((s) => s.port === port && inodes.has(s.inode)).length;
}

/** The socket inodes the process holds open. */
export async function readSocketInodes(pid: number): Promise<Set<string>> {
  const dir = `${procDir(pid)}/fd`;
  const names = await readdir(dir);
  const links = await Promise.all(names.map((n) => readlink(`${dir}/${n}`).catch(() => '')));
  return socketInodes(links);
}

/** The TCP sockets the process itself listens on. */
export async function ownListening(pid: number): Promise<ListeningSocket[]> {
  const [inodes, table] = await Promise.all([readSocketInodes(pid), readListeningTable(pid)]);
  return table.filter((s) => inodes.has(s.inode));
}

/** Numeric pids of every process visible in /proc. */
export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc');
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** The login name of `uid` from /etc/passwd, if it has one. */
export function userNameOf(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid && id !== '') return name;
    }
  } catch {
    // no passwd file
  }
  return undefined;
}

/** True when `pid` shares this process's network namespace (so its 127.0.0.1 is ours); unknown counts as true. */
export async function sameNetwork(pid: number): Promise<boolean> {
  try {
    const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/net'), readlink(`${procDir(pid)}/ns/net`)]);
    return mine === theirs;
  } catch {
    return true;
  }
}

/**
 * True when `pid` is a live process here (not a zombie) running `execPath`: how anode tells a program
 * whose inspector connection was lost from one that died, when the program reported no exit code.
 */
export function runsHere(pid: number, execPath: string | undefined): boolean {
  return readIdentitySync(pid)?.exe === execPath;
}
