// The parsers of what Linux /proc says about a process (process-table-linux.ts reads the files): its
// command line, environment, owner and parent, which signals it catches, its start time, and its TCP
// sockets (socket inodes of /proc/PID/fd matched against the rows of /proc/PID/net/tcp{,6}). They take
// text so they can be tested on their own.
import path from 'node:path';
import type { ListeningSocket, Sigusr1Handling } from './process-table.js';

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
  /** Parent pid. */
  ppid: number;
  /** 'caught': a handler is installed; 'blocked'/'ignored': it would do nothing; 'default': it kills. */
  sigusr1: Sigusr1Handling;
  /** Zombie (exited, not yet reaped). */
  zombie: boolean;
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
  return { uid: Number(field('Uid').split(/\s+/)[0]), ppid: Number(field('PPid')) || 0, sigusr1, zombie: field('State').startsWith('Z') };
}

/**
 * The fields of /proc/PID/stat after `pid (comm)`: fields[0] is field 3 (state). comm may hold spaces and
 * parentheses, so the split starts after the last ')'.
 */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of a process (clock ticks after boot) from /proc/PID/stat: field 22, counted after the `(comm)`. */
export function parseStartTime(stat: string): string | undefined {
  const fields = statFields(stat);
  // field 22 is fields[19].
  return fields[19] !== undefined && /^\d+$/.test(fields[19]) ? fields[19] : undefined;
}

/** The process group of `/proc/PID/stat` (field 5), undefined for a zombie or a dead process (state Z/X). */
export function parseLiveGroup(stat: string): number | undefined {
  const fields = statFields(stat);
  if (fields[0] === 'Z' || fields[0] === 'X' || fields[2] === undefined || !/^\d+$/.test(fields[2])) return undefined;
  return Number(fields[2]);
}

/** The executable of `/proc/PID/exe`, without the ` (deleted)` mark of a replaced binary. */
export function cleanExePath(link: string): string {
  return link.replace(/ \(deleted\)$/, '');
}

/** True for a node binary's name (`node`, `nodejs`, `node20`, `node-20.1.0`). */
export function isNodeExecutable(exe: string): boolean {
  return /^(node|nodejs)([-_.]?v?\d+(\.\d+)*)?$/.test(path.basename(cleanExePath(exe)));
}
