// Helpers for the `anode attach` end-to-end tests: targets that serve, one-shot anode runs, free ports.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { startAnode, type AnodeProcess } from './anode.js';
import { pidsWith } from './faults.js';
import { ANODE_BIN, FIXTURES, ROOT } from './paths.js';
import { startTarget, type TargetProcess } from './target.js';
import { waitUntil } from './wait.js';

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

/** No close watchdog of anode's is left for `pid`. */
export async function noWatchdogFor(pid: number): Promise<void> {
  await waitUntil(() => pidsWith('close-watchdog-main.js', String(pid)).length === 0, () => `a watchdog of pid ${pid} is left`);
}

/** Starts two `anode attach PID` at once; resolves once both have a prompt. */
export async function attachTwice(pid: number): Promise<[AnodeProcess, AnodeProcess, number]> {
  const t0 = Date.now();
  const both = [startAnode(['attach', String(pid)]), startAnode(['attach', String(pid)])] as const;
  await Promise.all(both.map((a) => a.waitForPrompt()));
  return [both[0], both[1], Date.now() - t0];
}

/** Both anodes work in the program, and it serves meanwhile. */
export async function bothWork(a: AnodeProcess, b: AnodeProcess, target: TargetProcess, port: number): Promise<void> {
  expect(await a.evaluate('process.pid')).toBe(String(target.pid));
  expect(await b.evaluate('process.pid')).toBe(String(target.pid));
  expect(await a.evaluate('let shared = 6 * 7; shared')).toBe('42');
  expect(await b.evaluate('shared')).toBe('42');
  expect(await echoLine(port, 'while attached')).toBe('while attached\n');
}

/** The one that opened the inspector (by its banner), or the first if both saw it appear. */
export function opener(a: AnodeProcess, b: AnodeProcess): [AnodeProcess, AnodeProcess] {
  return b.stderr.includes('anode opened its inspector') && !a.stderr.includes('anode opened its inspector') ? [b, a] : [a, b];
}
