// The /proc parsers, node flag reading and attach-target parsing of `anode attach`, fed with text.
import { describe, expect, it } from 'vitest';
import { pickInspector } from '../../src/program/attach.js';
import { connectHost, hostPort, parseAttachTarget } from '../../src/program/endpoint.js';
import { inspectorFlags, parseHostPort, splitNodeArgv, splitNodeOptions } from '../../src/program/node-flags.js';
import {
  decodeAddress,
  environValue,
  isNodeExecutable,
  parseCmdline,
  parseEstablished,
  parseListening,
  parseStartTime,
  parseStatus,
  socketInodes,
} from '../../src/program/proc.js';

// Captured from /proc/PID/net/tcp and tcp6 (Linux 6.x), trimmed.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:B06F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12663 1 00000000e4969ec6 100 0 0 10 0
   1: 0100007F:821B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 13495 1 000000003e51a30b 100 0 0 10 0
   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1510 1 000000000077667a 100 0 0 10 0
   3: 0100007F:9461 0100007F:C7C2 06 00000000:00000000 03:00001110 00000000     0        0 0 3 00000000c0617e20
   4: 0100007F:8E4A 0100007F:B06F 01 00000000:00000000 00:00000000 00000000     0        0 20011 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:2415 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30003 1 0000000000000000 100 0 0 10 0
`;

describe('/proc/net/tcp{,6}', () => {
  it('keeps only LISTEN rows, with decoded addresses and ports', () => {
    expect(parseListening(TCP)).toEqual([
      { inode: '12663', host: '127.0.0.1', port: 0xb06f },
      { inode: '13495', host: '127.0.0.1', port: 0x821b },
      { inode: '1510', host: '0.0.0.0', port: 2024 },
    ]);
    expect(parseListening(TCP6)).toEqual([
      { inode: '30001', host: '::1', port: 9237 },
      { inode: '30002', host: '::', port: 8080 },
      { inode: '30003', host: '::ffff:127.0.0.1', port: 8081 },
    ]);
  });

  it('reads established connections (the clients of a listening port)', () => {
    expect(parseEstablished(TCP)).toEqual([{ inode: '20011', host: '127.0.0.1', port: 0x8e4a }]);
  });

  it('ignores headers, blank and malformed lines', () => {
    expect(parseListening('')).toEqual([]);
    expect(parseListening('header\n\n  garbage\n 0: ZZ:0001 00:00 0A 0 0 0 0 0 1 \n')).toEqual([]);
  });

  it('decodes addresses stored as little-endian words', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('0F02000A')).toBe('10.0.2.15');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
    expect(decodeAddress('123')).toBeUndefined();
  });
});

describe('/proc/PID/fd, cmdline, environ, status', () => {
  it('reads the start time (field 22) of /proc/PID/stat, whatever the command name holds', () => {
    const tail = 'S 1 2 3 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 11 0 987654 1000 100';
    expect(parseStartTime(`4242 (node) ${tail}`)).toBe('987654');
    expect(parseStartTime(`4242 (a ) (b) ${tail}`)).toBe('987654');
    expect(parseStartTime('4242 (node) S 1')).toBeUndefined();
  });

  it('finds socket inodes among fd links', () => {
    expect([...socketInodes(['/dev/null', 'socket:[13495]', 'pipe:[99]', 'anon_inode:[eventfd]', 'socket:[7]'])]).toEqual(['13495', '7']);
  });

  it('splits a NUL-separated command line and environment', () => {
    expect(parseCmdline('node\0--inspect-port=0\0app.js\0a b\0')).toEqual(['node', '--inspect-port=0', 'app.js', 'a b']);
    expect(parseCmdline('')).toEqual([]);
    expect(environValue('A=1\0NODE_OPTIONS=--inspect-port=0 -r x\0B=', 'NODE_OPTIONS')).toBe('--inspect-port=0 -r x');
    expect(environValue('A=1\0', 'NODE_OPTIONS')).toBeUndefined();
  });

  it('reads the owner and how SIGUSR1 is handled', () => {
    const status = (state: string, blk: string, ign: string, cgt: string): string =>
      `Name:\tnode\nState:\t${state}\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\nSigBlk:\t${blk}\nSigIgn:\t${ign}\nSigCgt:\t${cgt}\n`;
    // Measured: a node process (handler installed), under the permission model (blocked), and `sleep`.
    expect(parseStatus(status('S (sleeping)', '0000000000000000', '0000000001001000', '0000000100004602'))).toEqual({
      uid: 1000,
      ppid: 1,
      sigusr1: 'caught',
      zombie: false,
    });
    expect(parseStatus(status('S (sleeping)', '0000000000000200', '0000000001001000', '0000000100004402')).sigusr1).toBe('blocked');
    expect(parseStatus(status('S (sleeping)', '0000000000000000', '0000000000000200', '0000000000000000')).sigusr1).toBe('ignored');
    expect(parseStatus(status('S (sleeping)', '0000000000000000', '0000000000000000', '0000000000000000')).sigusr1).toBe('default');
    expect(parseStatus(status('Z (zombie)', '0', '0', '0')).zombie).toBe(true);
  });

  it('recognises node executables only', () => {
    for (const exe of ['/usr/bin/node', '/home/u/.nvm/versions/node/v20.20.2/bin/node', '/usr/bin/nodejs', '/opt/node20', '/usr/bin/node (deleted)']) {
      expect(isNodeExecutable(exe), exe).toBe(true);
    }
    for (const exe of ['/usr/bin/sleep', '/usr/bin/python3', '/usr/bin/nodemon', '/usr/bin/bash', '/usr/lib/node_modules/x']) {
      expect(isNodeExecutable(exe), exe).toBe(false);
    }
  });
});

describe('node flags', () => {
  it('takes options only before the entry script', () => {
    expect(splitNodeArgv(['node', '-r', 'dotenv/config', '--inspect-port=0', 'app.js', '--inspect'])).toEqual({
      options: ['-r', 'dotenv/config', '--inspect-port=0'],
      main: 'app.js',
    });
    expect(splitNodeArgv(['node', '-e', 'x', '--inspect']).main).toBe('-e …');
    expect(splitNodeArgv(['node']).main).toBeUndefined();
  });

  it('reads where the inspector listens or would listen', () => {
    expect(inspectorFlags(['node', 'app.js'])).toMatchObject({ openAtStart: false, host: '127.0.0.1', port: 9229, listsTargets: true, main: 'app.js' });
    expect(inspectorFlags(['node', '--inspect-port=0', 'app.js'])).toMatchObject({ openAtStart: false, port: 0 });
    expect(inspectorFlags(['node', '--inspect-port', '0.0.0.0:7000', 'app.js'])).toMatchObject({ host: '0.0.0.0', port: 7000 });
    expect(inspectorFlags(['node', '--inspect', 'app.js'])).toMatchObject({ openAtStart: true, port: 9229 });
    expect(inspectorFlags(['node', '--inspect=127.0.0.1:0', 'app.js'])).toMatchObject({ openAtStart: true, port: 0 });
    expect(inspectorFlags(['node', '--inspect-brk=9333', 'app.js'])).toMatchObject({ openAtStart: true, port: 9333 });
    expect(inspectorFlags(['node', 'app.js', '--inspect'])).toMatchObject({ openAtStart: false });
    expect(inspectorFlags(['node', '--inspect-publish-uid=stderr', 'app.js']).listsTargets).toBe(false);
    expect(inspectorFlags(['node', '--inspect-publish-uid=stderr,http', 'app.js']).listsTargets).toBe(true);
    expect(inspectorFlags(['node', '--disable-sigusr1', 'app.js']).sigusr1Disabled).toBe(true);
    expect(inspectorFlags(['node', '--experimental-permission', 'app.js']).permission).toBe(true);
  });

  it('reads NODE_OPTIONS, overridden by the command line', () => {
    expect(inspectorFlags(['node', 'app.js'], '--inspect-port=0 -r x')).toMatchObject({ port: 0 });
    expect(inspectorFlags(['node', '--inspect-port=9300', 'app.js'], '--inspect-port=0')).toMatchObject({ port: 9300 });
    expect(splitNodeOptions('--title "a b" --inspect')).toEqual(['--title', 'a b', '--inspect']);
    expect(parseHostPort('[::1]:9229')).toEqual({ host: '::1', port: 9229 });
    expect(parseHostPort('0.0.0.0')).toEqual({ host: '0.0.0.0' });
  });

  it('picks the inspector among sockets that appeared after SIGUSR1', () => {
    const s = (port: number, host = '127.0.0.1') => ({ inode: String(port), host, port });
    expect(pickInspector([s(5000), s(9229)], { host: '127.0.0.1', port: 9229 })).toEqual(s(9229));
    expect(pickInspector([s(5000)], { host: '127.0.0.1', port: 9229 })).toBeUndefined();
    expect(pickInspector([s(5000, '0.0.0.0'), s(41000)], { host: '127.0.0.1', port: 0 })).toEqual(s(41000));
    expect(pickInspector([s(41000, '0.0.0.0')], { host: '127.0.0.1', port: 0 })).toEqual(s(41000, '0.0.0.0'));
    expect(pickInspector([], { host: '127.0.0.1', port: 0 })).toBeUndefined();
  });
});

describe('attach targets', () => {
  it('parses pids, HOST:PORT and ws URLs', () => {
    expect(parseAttachTarget('4242')).toEqual({ kind: 'pid', pid: 4242 });
    expect(parseAttachTarget('127.0.0.1:9229')).toEqual({ kind: 'address', host: '127.0.0.1', port: 9229 });
    expect(parseAttachTarget('localhost:9229')).toEqual({ kind: 'address', host: 'localhost', port: 9229 });
    expect(parseAttachTarget('[::1]:9229')).toEqual({ kind: 'address', host: '::1', port: 9229 });
    expect(parseAttachTarget('http://10.0.0.2:9229/')).toEqual({ kind: 'address', host: '10.0.0.2', port: 9229 });
    expect(parseAttachTarget('ws://127.0.0.1:9229/0f2c-11')).toEqual({ kind: 'ws', url: 'ws://127.0.0.1:9229/0f2c-11' });
    for (const bad of ['0', 'abc', 'host:', ':9229', 'host:70000', 'ws://', '']) {
      expect(() => parseAttachTarget(bad), bad).toThrow(/give a pid, HOST:PORT of an inspector, or its ws:\/\/ URL/);
    }
  });

  it('formats and chooses addresses', () => {
    expect(hostPort('::1', 9229)).toBe('[::1]:9229');
    expect(hostPort('127.0.0.1', 9229)).toBe('127.0.0.1:9229');
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('::1');
    expect(connectHost('10.0.0.2')).toBe('10.0.0.2');
  });
});
