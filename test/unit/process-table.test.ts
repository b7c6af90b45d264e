// The process table: the portable (ps + lsof) parsers fed with captured text, and both implementations
// asked about the same live process, where this platform has them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { linuxProcessTable } from '../../src/program/process-table-linux.js';
import {
  lsofAccepted,
  lsofExecutables,
  lsofSockets,
  parseLsof,
  parseLsofAddress,
  parsePsGroup,
  parsePsIdentity,
  parsePsList,
  portableProcessTable,
} from '../../src/program/process-table-portable.js';
import type { ProcessTable } from '../../src/program/process-table.js';
import { which } from '../helpers/attach.js';
import { waitUntil } from '../helpers/wait.js';

describe('portable table parsers', () => {
  it('reads ps identity lines (procps and BSD masks), zombies marked', () => {
    // procps (Linux): 16 hex digits; SIGUSR1 is 10 here.
    const line = '13052     1  1000 Sl   0000000100004602 0000000001001000 0000000000000000 Wed Dec  2 05:51:29 2026 node -e x a b';
    expect(parsePsIdentity(line)).toEqual({
      pid: 13052,
      ppid: 1,
      uid: 1000,
      zombie: false,
      sigusr1: process.platform === 'linux' ? 'caught' : expect.any(String),
      startTime: 'Wed Dec 2 05:51:29 2026',
      argv: ['node', '-e', 'x', 'a', 'b'],
    });
    expect(parsePsIdentity('77 1 0 Z 0 0 0 Wed Dec  2 05:51:29 2026')).toMatchObject({ zombie: true, argv: [] });
    expect(parsePsIdentity('')).toBeUndefined();
    expect(parsePsIdentity('garbage')).toBeUndefined();
  });

  it('lists processes without zombies', () => {
    expect(parsePsList('  1     0     0 Ss   /sbin/init\n  9     1  1000 Z    [node] <defunct>\n 12     1  1000 S    node app.js\n')).toEqual([
      { pid: 1, ppid: 0, uid: 0, argv: ['/sbin/init'] },
      { pid: 12, ppid: 1, uid: 1000, argv: ['node', 'app.js'] },
    ]);
  });

  it('reads the members of one process group, without zombies', () => {
    const text = '  1     1 Ss   /sbin/init\n 40    40 Sl   node app.js\n 41    40 S    node child.js a b\n 42    40 Z    [node] <defunct>\n 43     1 S    sh\n';
    expect(parsePsGroup(text, 40)).toEqual([
      { pid: 40, command: 'node app.js' },
      { pid: 41, command: 'node child.js a b' },
    ]);
    expect(parsePsGroup(text, 99)).toEqual([]);
  });

  it('reads lsof -F files: listening sockets, connections, executables', () => {
    const listening = 'p42\nf19\ntIPv4\nd23048\nn127.0.0.1:46341\nf20\ntIPv6\nd23050\nn[::1]:9229\nf21\ntIPv6\nd23051\nn*:8080\n';
    expect(lsofSockets(parseLsof(listening))).toEqual([
      { inode: '42:23048', host: '127.0.0.1', port: 46341 },
      { inode: '42:23050', host: '::1', port: 9229 },
      { inode: '42:23051', host: '::', port: 8080 },
    ]);
    const established = 'p42\nf22\nn127.0.0.1:9229->127.0.0.1:51000\nf23\nn127.0.0.1:52000->127.0.0.1:9229\n';
    expect(lsofAccepted(parseLsof(established), 9229)).toBe(1);
    expect(lsofExecutables(parseLsof('p42\nftxt\nn/usr/bin/node\nftxt\nn/usr/lib/dyld\np43\nftxt\nn/bin/sh\n'))).toEqual(
      new Map([
        [42, '/usr/bin/node'],
        [43, '/bin/sh'],
      ]),
    );
    expect(parseLsofAddress('nonsense')).toBeUndefined();
  });
});

const tables: ProcessTable[] = [
  ...(process.platform === 'linux' ? [linuxProcessTable] : []),
  ...(which('ps') && which('lsof') ? [portableProcessTable] : []),
];

describe.each(tables.map((t) => [t.kind, t] as const))('the %s table on a live process', (_kind, table) => {
  let child: ReturnType<typeof spawn>;
  let port = 0;
  let output = '';
  beforeAll(async () => {
    const program = `process.on('SIGUSR1', () => {}); const s = require('net').createServer((c) => c.on('data', () => {})).listen(0, '127.0.0.1', () => console.log('port', s.address().port));`;
    child = spawn(process.execPath, ['-e', program, 'an-argument'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    for await (const _ of on(child.stdout!)) if (/port (\d+)/.test(output)) break;
    port = Number(/port (\d+)/.exec(output)![1]);
  });
  afterAll(() => {
    child.kill('SIGKILL');
  });

  it('reads its identity: parent, owner, executable, command line, SIGUSR1 caught', async () => {
    const id = table.identitySync(child.pid!);
    expect(id, output).toMatchObject({ pid: child.pid, ppid: process.pid, uid: process.getuid!(), exe: process.execPath, sigusr1: 'caught' });
    expect(id!.argv.at(-1)).toBe('an-argument');
    expect(await table.identity(child.pid!)).toEqual(id);
    // Positive control of the 'default' case: this test process does not handle SIGUSR1 (vitest's fork may).
    expect(table.identitySync(2 ** 22 + 12345)).toBeUndefined();
  });

  it('lists it among this user\'s processes, with its parent and executable', async () => {
    const entries = await table.list({ uid: process.getuid!(), executables: true });
    expect(entries.find((e) => e.pid === child.pid)).toMatchObject({ ppid: process.pid, exe: process.execPath });
    expect(entries.every((e) => e.uid === process.getuid!())).toBe(true);
  });

  it('reads its listening socket and counts the connections it accepted', async () => {
    const own = await table.listening(child.pid!);
    expect(own.map((s) => [s.host, s.port])).toEqual([['127.0.0.1', port]]);
    expect((await table.listeningOnPort(child.pid!, port)).map((s) => s.inode)).toEqual(own.map((s) => s.inode));
    expect(await table.acceptedConnections(child.pid!, port)).toBe(0);
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    try {
      expect(await waitUntil(() => table.acceptedConnections(child.pid!, port), () => 'no connection accepted', 4000, 20)).toBe(1);
    } finally {
      client.destroy();
    }
    await expect(table.listening(2 ** 22 + 12345)).rejects.toThrow();
  });

  it('lists the members of a process group: its leader and the child it forked, not others', async () => {
    const leader = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'the-child'], { stdio: 'inherit' }); setInterval(() => {}, 1000)"], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      const members = await waitUntil(
        () => {
          const now = table.groupMembers(leader.pid!);
          return now.length >= 2 ? now : undefined;
        },
        () => `the group of ${leader.pid}: ${JSON.stringify(table.groupMembers(leader.pid!))}`,
      );
      expect(members.map((m) => m.pid)).toContain(leader.pid);
      expect(members).toHaveLength(2);
      expect(members.find((m) => m.pid !== leader.pid)!.command).toMatch(/the-child$/);
      // The control: this test's own group is another one.
      expect(table.groupMembers(leader.pid!).some((m) => m.pid === process.pid)).toBe(false);
    } finally {
      process.kill(-leader.pid!, 'SIGKILL');
    }
    await waitUntil(() => table.groupMembers(leader.pid!).length === 0, () => `the group of ${leader.pid} is still there`);
  });

  it('shares this network and names this user', async () => {
    expect(await table.sameNetwork(child.pid!)).toBe(true);
    expect(table.userName(process.getuid!())).toBeTruthy();
  });
});

async function* on(stream: NodeJS.ReadableStream): AsyncGenerator<void> {
  for (;;) {
    await once(stream, 'data');
    yield;
  }
}

describe('choosing the table', () => {
  const fresh = async (): Promise<typeof import('../../src/program/process-table.js')> => {
    vi.resetModules();
    return import('../../src/program/process-table.js');
  };
  afterEach(() => {
    vi.unstubAllEnvs();
    Object.defineProperty(process, 'platform', { value: platform });
  });
  const platform = process.platform;

  it('follows ANODE_PROCESS_TABLE, and refuses in one line where there is none', async () => {
    vi.stubEnv('ANODE_PROCESS_TABLE', 'portable');
    expect((await fresh()).processTable().kind).toBe('portable');
    vi.unstubAllEnvs();
    delete process.env.ANODE_PROCESS_TABLE;
    if (platform === 'linux') expect((await fresh()).processTable().kind).toBe('linux');
    Object.defineProperty(process, 'platform', { value: 'win32' });
    const table = await fresh();
    expect(() => table.processTable()).toThrow(
      'attaching by pid and `anode ps` is not supported on win32: attach to HOST:PORT or a ws:// URL of an inspector instead',
    );
    // Attached by address there, "does the program still run" cannot be told: false, not a crash.
    expect(table.runsHere(process.pid, process.execPath)).toBe(false);
  });
});
