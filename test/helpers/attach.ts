// Helpers for the `anode attach` end-to-end tests: targets that serve, one-shot anode runs, free ports.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAnode } from './anode.js';
import { ANODE_BIN, FIXTURES, ROOT } from './paths.js';
import { startTarget, type TargetProcess } from './target.js';

export const echo = path.join(FIXTURES, 'echo.js');

/** An echo server started with `--inspect-port=0` (activation picks a free port); resolves with its port. */
export async function startEcho(nodeFlags: string[] = ['--inspect-port=0']): Promise<{ target: TargetProcess; port: number }> {
  const target = startTarget([...nodeFlags, echo, '0']);
  const m = await target.waitFor(/served on 127\.0\.0\.1:(\d+)/);
  return { target, port: Number(m[1]) };
}

/** Sends one line to the echo server and resolves with its answer. */
export async function echoLine(port: number, line: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let text = '';
  socket.on('data', (d: string) => (text += d));
  socket.write(`${line}\n`);
  await once(socket, 'end');
  socket.destroy();
  return text;
}

/** Runs `anode ...args` to its end. */
export async function anode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const a = startAnode(args);
  const { code } = await a.exited;
  return { code, stdout: a.stdout, stderr: a.stderr };
}

/** The executable of a pid, from /proc. */
export function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** Runs the built anode as user nobody (setpriv), to its end. */
export async function runAsNobody(setpriv: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ANODE_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** The path of a command, if installed. */
export function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** True if this process can listen on 127.0.0.1:port right now. */
export async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

/**
 * Runs `fn` while holding this machine's lock on the default inspector port 9229, so that test files that
 * attach to plain programs (which open 9229) do not take it from each other when vitest runs them at once.
 */
export async function with9229<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), 'anode-tests-9229.lock');
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Held: by a live test process, wait; by one that died, take it over.
      const holder = Number(readFileSyncOr(path.join(lock, 'pid')));
      if (holder && !isAlivePid(holder)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the lock on port 9229 (${lock}) stayed held by pid ${holder}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSyncOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlivePid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
