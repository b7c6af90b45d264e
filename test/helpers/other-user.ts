// A second, unprivileged local user for attacks that need one: created with useradd when the tests run as
// root (and reused afterwards); undefined otherwise, with the reason, so the test can skip saying why.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from './paths.js';

export interface OtherUser {
  uid: number;
  gid: number;
  /** Runs `node ...args` as that user to its end. */
  node(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const NAME = 'anode-other';

/** The other user, or the reason there is none. */
export function otherUser(): OtherUser | string {
  if (process.getuid?.() !== 0) return 'needs root to create a second local user (useradd) and run as it (setpriv)';
  const tool = (name: string): string | undefined => {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const setpriv = tool('setpriv');
  if (!setpriv) return 'setpriv is not installed';
  let uid: number;
  let gid: number;
  try {
    [uid, gid] = ids();
  } catch {
    const useradd = tool('useradd');
    if (!useradd) return 'useradd is not installed';
    try {
      execFileSync(useradd, ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME], { stdio: 'ignore' });
    } catch (err) {
      // Another test file may have created it at the same moment.
      if (!/exit code 9|status 9/.test(String(err))) return `useradd failed: ${(err as Error).message}`;
    }
    [uid, gid] = ids();
  }
  return {
    uid,
    gid,
    async node(args, options = {}) {
      const child = spawn(setpriv, [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin.end(options.input ?? '');
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stdout, stderr };
    },
  };
}

function ids(): [number, number] {
  const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8' }).trim());
  return [uid, gid];
}
