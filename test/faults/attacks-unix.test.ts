// Attacks on a unix-socket console (SECURITY.md, "Attacks tried"): a socket directory another user owns or
// may write to (they could swap the socket and capture the token and the input), a path longer than the
// kernel takes (libuv used to cut it silently), and a stale socket left by another user.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { otherUser } from '../helpers/other-user.js';

const echo = 'fixtures/echo.js';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'anode-unix-'));
  dirs.push(d);
  return d;
}

/** Runs `anode run --serve unix:PATH echo.js 0` to its end (it must refuse). */
async function refusedServe(socketPath: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const a = startAnode(['run', '--serve', `unix:${socketPath}`, echo, '0']);
  const { code } = await a.exited;
  return { code, stderr: a.stderr, stdout: a.stdout };
}

/** One `anode: ` line on stderr, no stack, and the program never started (it prints its port on stdout). */
function expectOneLineRefusal(r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(r.stdout).not.toContain('served on');
}

describe('attack: the socket directory is another user’s to change', () => {
  it('a directory writable by others without the sticky bit is refused before anything listens', async () => {
    const open = path.join(tempDir(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await refusedServe(path.join(open, 'app.sock'));
    expectOneLineRefusal(r, /is writable by other users \(mode 777, no sticky bit\)/);
    expect(existsSync(path.join(open, 'app.sock'))).toBe(false);
    // Positive control: the same directory with the sticky bit (as /tmp) is served from.
    chmodSync(open, 0o1777);
    const a = startAnode(['run', '--serve', `unix:${path.join(open, 'app.sock')}`, echo, '0']);
    await a.waitFor(/The console is being served on unix:/);
    await a.waitFor(/served on 127\.0\.0\.1:\d+/, { stream: 'stdout' });
    expect(statSync(path.join(open, 'app.sock')).mode & 0o777).toBe(0o600);
    process.kill(a.pid, 'SIGTERM');
    // It ends (by the signal, as anode run re-raises it, or with 0): it does not hang.
    await a.exited;
  });

  it('a directory owned by another user is refused, naming that user', async (ctx) => {
    const user = otherUser();
    if (typeof user === 'string') return ctx.skip(user);
    const theirs = path.join(tempDir(), 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, user.uid, user.gid);
    const r = await refusedServe(path.join(theirs, 'app.sock'));
    expectOneLineRefusal(r, /theirs belongs to user anode-other \(uid \d+\), who could replace the socket/);
    expect(existsSync(path.join(theirs, 'app.sock'))).toBe(false);
  });
});

describe('attack: a socket path longer than the kernel takes', () => {
  it('is refused up front in one line (no truncated socket, no stack, the program not started)', async () => {
    const dir = tempDir();
    const long = path.join(dir, `${'x'.repeat(120 - dir.length)}.sock`);
    expect(Buffer.byteLength(long)).toBeGreaterThan(107);
    const r = await refusedServe(long);
    expectOneLineRefusal(r, /the socket path .* is \d+ bytes long; the limit here is 107: choose a shorter one/);
    // Nothing was created at a cut path either.
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' })).toBe('');
  });
});

describe('attack: a stale socket left by another user', () => {
  it('is not replaced, and the message says whose it is', async (ctx) => {
    const user = otherUser();
    if (typeof user === 'string') return ctx.skip(user);
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    // A server that dies without removing its socket (process.exit skips the clean-up).
    execFileSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.exit(0))`]);
    expect(statSync(sock).isSocket()).toBe(true);
    chownSync(sock, user.uid, user.gid);
    const r = await refusedServe(sock);
    expectOneLineRefusal(r, /app\.sock is a socket of user anode-other \(uid \d+\); anode will not replace another user's socket, stale or not: choose another path/);
    expect(statSync(sock).uid).toBe(user.uid);
    // Positive control: a stale socket of anode's own user is replaced.
    chownSync(sock, process.getuid!(), process.getgid!());
    const a = startAnode(['run', '--serve', `unix:${sock}`, echo, '0']);
    await a.waitFor(/The console is being served on unix:/);
    await a.waitFor(/served on 127\.0\.0\.1:\d+/, { stream: 'stdout' });
    process.kill(a.pid, 'SIGTERM');
    await a.exited;
  });
});
