// `anode run`: start the program under the inspector, hold a console into it, and leave nothing behind.
// Only what starts the program is loaded up front: the session, the console and the server are imported
// while the program boots (start-up is the sum of both otherwise).
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgramStartError } from '../errors.js';
import { launch, type LaunchedProgram, type ProgramExit } from '../program/launch.js';
import { resolveModuleBin, resolveProgram } from '../program/resolve.js';
import { loadCdp } from '../session/cdp-client.js';
import type { ConsoleFlags } from './hold.js';
import { say } from './say.js';

/** How long served clients' farewell waits for the program's exit status once its connection is gone. */
const EXIT_WAIT_MS = 1000;

export interface RunFlags extends ConsoleFlags {
  /** `--serve [HOST:]PORT|unix:PATH`: serve the console to clients instead of the terminal. */
  serve?: string;
  token?: string;
  maxClients?: number;
  module?: string;
  wait: boolean;
  node?: string;
}

/** Runs `file` (or `-m NAME`, or nothing: an empty node) with a console; resolves to anode's exit code. */
export async function run(flags: RunFlags, file: string | undefined, args: string[], nodeFlags: string[]): Promise<number> {
  const serving = flags.serve !== undefined ? await import('../server/serve-console.js') : undefined;
  if (flags.serve !== undefined) serving?.checkServeFlags({ ...flags, serve: flags.serve });
  let program: string | undefined;
  if (flags.module !== undefined) {
    program = await resolveModuleBin(flags.module);
    if (file !== undefined) args = [file, ...args];
  } else if (file !== undefined) {
    program = await resolveProgram(file);
  }
  void loadCdp(); // overlaps with the program's start-up, as do the imports below
  const loading = loadConsole();
  loading.catch(() => undefined); // an import that fails is reported where it is awaited
  const target = await launch({ file: program, args, nodeFlags, wait: flags.wait, node: flags.node });
  let session;
  let loaded;
  try {
    loaded = await loading;
    session = await loaded.openRemoteSession(target.url, { connecting: () => target.expectInspectorLines('attach') });
  } catch (err) {
    const exit = await Promise.race([target.exited, new Promise<undefined>((r) => setTimeout(r, 500, undefined))]);
    if (exit) throw new ProgramStartError(`the program ended (${describeExit(exit)}) before the console was ready`, err);
    await target.stop();
    throw err;
  }
  let end;
  try {
    end =
      serving && flags.serve !== undefined
        ? await serving.serveConsole(session, { ...flags, serve: flags.serve }, loaded.banner(session.info), (reason) =>
            howItEnded(target, reason),
          )
        : await loaded.holdTerminalConsole(session, flags, loaded.banner(session.info));
  } catch (err) {
    // Nothing to hold (e.g. the serve address is taken): leave nothing behind.
    await session.close();
    await target.stop();
    throw err;
  }
  if (end.by === 'user') {
    target.expectInspectorLines('detach');
    await session.close();
    await target.stop();
    return 0;
  }
  return reportExit(target);
}

/** The session and the terminal console, imported while the program starts. */
async function loadConsole() {
  const [remote, hold, banners] = await Promise.all([import('../session/remote.js'), import('./hold.js'), import('./banner.js')]);
  return { openRemoteSession: remote.openRemoteSession, holdTerminalConsole: hold.holdTerminalConsole, banner: banners.banner };
}

/** What served clients are told when the session ends: how the program exited, if it did (soon). */
async function howItEnded(target: LaunchedProgram, reason: string): Promise<string> {
  const exit = await Promise.race([target.exited, sleep(EXIT_WAIT_MS, undefined, { ref: false })]);
  return exit ? `the program exited (${describeExit(exit)})` : reason;
}

/** Waits for the program's exit, says how it ended in one line, and turns it into anode's exit code. */
async function reportExit(target: LaunchedProgram): Promise<number> {
  const timer = setTimeout(() => void target.stop(), 5000);
  const exit = await target.exited;
  clearTimeout(timer);
  say(`the program exited (${describeExit(exit)})`);
  return exitCodeOf(exit);
}

export function describeExit(exit: ProgramExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}

/** The program's own code, or 128+N for a signal, as shells do. */
export function exitCodeOf(exit: ProgramExit): number {
  if (exit.signal) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}
