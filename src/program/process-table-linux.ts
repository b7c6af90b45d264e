// The process table on Linux: everything is read from /proc (parsers in proc.ts), nothing is run.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { ignored } from '../log/debug.js';
import { cleanExePath, environValue, parseCmdline, parseEstablished, parseListening, parseLiveGroup, parseStartTime, parseStatus, socketInodes } from './proc.js';
import type { GroupMember, ListeningSocket, ProcessEntry, ProcessIdentity, ProcessTable } from './process-table.js';

const dir = (pid: number): string => `/proc/${pid}`;

function identitySync(pid: number): ProcessIdentity | undefined {
  try {
    const status = parseStatus(readFileSync(`${dir(pid)}/status`, 'utf8'));
    const startTime = parseStartTime(readFileSync(`${dir(pid)}/stat`, 'latin1'));
    if (status.zombie || startTime === undefined) return undefined;
    const argv = parseCmdline(readFileSync(`${dir(pid)}/cmdline`, 'latin1'));
    let exe: string | undefined;
    try {
      exe = cleanExePath(readlinkSync(`${dir(pid)}/exe`));
    } catch (err) {
      ignored(`reading the executable of pid ${pid}`, err);
    }
    return { pid, ppid: status.ppid, uid: status.uid, startTime, exe, argv, sigusr1: status.sigusr1 };
  } catch (err) {
    ignored(`reading pid ${pid} from /proc`, err);
    return undefined;
  }
}

async function tables(pid: number): Promise<string[]> {
  return Promise.all(
    ['tcp', 'tcp6'].map((t) =>
      readFile(`${dir(pid)}/net/${t}`, 'utf8').catch((err: unknown) => {
        ignored(`reading /proc/${pid}/net/${t}`, err);
        return '';
      }),
    ),
  );
}

/** The socket inodes the process holds open (rejects when it is gone). */
async function socketInodesOf(pid: number): Promise<Set<string>> {
  const fds = `${dir(pid)}/fd`;
  const names = await readdir(fds);
  // A descriptor closed between the listing and its readlink is simply not a socket any more.
  const links = await Promise.all(names.map((n) => readlink(`${fds}/${n}`).catch(() => '')));
  return socketInodes(links);
}

function list(options: { uid?: number | undefined; executables?: boolean } = {}): Promise<ProcessEntry[]> {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const status = parseStatus(readFileSync(`${dir(pid)}/status`, 'utf8'));
      if (status.zombie || (options.uid !== undefined && status.uid !== options.uid)) continue;
      const argv = parseCmdline(readFileSync(`${dir(pid)}/cmdline`, 'latin1'));
      let exe: string | undefined;
      if (options.executables) {
        try {
          exe = cleanExePath(readlinkSync(`${dir(pid)}/exe`));
        } catch (err) {
          ignored(`reading the executable of pid ${pid}`, err);
        }
      }
      entries.push({ pid, ppid: status.ppid, uid: status.uid, argv, exe });
    } catch (err) {
      ignored(`listing pid ${pid} (gone meanwhile?)`, err);
    }
  }
  return Promise.resolve(entries);
}

function groupMembers(pgid: number): GroupMember[] {
  const members: GroupMember[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      if (parseLiveGroup(readFileSync(`${dir(pid)}/stat`, 'latin1')) !== pgid) continue;
      members.push({ pid, command: parseCmdline(readFileSync(`${dir(pid)}/cmdline`, 'latin1')).join(' ') });
    } catch (err) {
      ignored(`reading pid ${pid} from /proc (gone meanwhile)`, err);
    }
  }
  return members;
}

export const linuxProcessTable: ProcessTable = {
  kind: 'linux',
  identitySync,
  identity: (pid) => Promise.resolve(identitySync(pid)),
  async environmentVariable(pid, name) {
    try {
      return environValue(await readFile(`${dir(pid)}/environ`, 'latin1'), name);
    } catch (err) {
      ignored(`reading the environment of pid ${pid}`, err);
      return undefined;
    }
  },
  list,
  groupMembers,
  async listening(pid): Promise<ListeningSocket[]> {
    const [inodes, rows] = await Promise.all([socketInodesOf(pid), tables(pid)]);
    return rows.flatMap(parseListening).filter((s) => inodes.has(s.inode));
  },
  async listeningOnPort(pid, port) {
    return (await tables(pid)).flatMap(parseListening).filter((s) => s.port === port);
  },
  async acceptedConnections(pid, port) {
    const [inodes, rows] = await Promise.all([socketInodesOf(pid), tables(pid)]);
    return rows.flatMap(parseEstablished).filter((s) => s.port === port && inodes.has(s.inode)).length;
  },
  async sameNetwork(pid) {
    try {
      const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/net'), readlink(`${dir(pid)}/ns/net`)]);
      return mine === theirs;
    } catch (err) {
      ignored(`comparing the network namespace of pid ${pid}`, err);
      return true;
    }
  },
  userName(uid) {
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== '' && Number(id) === uid) return name;
      }
    } catch (err) {
      ignored('reading /etc/passwd', err);
    }
    return undefined;
  },
};
