// Loaded into the program by `anode run` (node --require) before its own code. It opens the inspector on
// an ephemeral loopback port and hands the URL to anode over a private pipe (or, under a command such as
// `npm start`, a private directory: see control-dir.ts).
// It then removes every trace of itself (env, execArgv, NODE_OPTIONS) so the program and its children see
// exactly what they would without anode.
import inspector = require('node:inspector');
import fs = require('node:fs');
import path = require('node:path');
import tty = require('node:tty');

const env = process.env;
const controlFd = env.ANODE_CONTROL_FD === undefined ? undefined : Number(env.ANODE_CONTROL_FD);
const controlDir = env.ANODE_CONTROL_DIR;
const stderrFd = env.ANODE_STDERR_FD === undefined ? undefined : Number(env.ANODE_STDERR_FD);
const wait = env.ANODE_WAIT === '1';
const keepAlive = env.ANODE_KEEPALIVE === '1';
const self = __filename;

/** Under a command: the first node process that runs code outside node_modules (not npm, not a CLI). */
function takesTheConsole(dir: string): boolean {
  const main = realMain();
  if (main === undefined || /[\\/]node_modules[\\/]/.test(main)) return false;
  try {
    fs.writeFileSync(path.join(dir, 'claim'), String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    // Another process took it first (or anode is gone): this one runs as it would without anode.
    return false;
  }
}

/** The entry script with links resolved (`/usr/bin/npm` is npm's own npm-cli.js, in node_modules). */
function realMain(): string | undefined {
  const main = process.argv[1];
  if (main === undefined || main === '') return undefined;
  try {
    return fs.realpathSync(main);
  } catch {
    return main;
  }
}

/** The console's own additions leave the environment this process and its children see. */
function removeTraces(): void {
  delete env.ANODE_CONTROL_FD;
  delete env.ANODE_CONTROL_DIR;
  delete env.ANODE_STDERR_FD;
  delete env.ANODE_WAIT;
  delete env.ANODE_KEEPALIVE;
  if (env.NODE_OPTIONS !== undefined && controlDir !== undefined) {
    const own = ` --inspect-publish-uid=stderr --require ${JSON.stringify(self)}`;
    const rest = ` ${env.NODE_OPTIONS}`.replace(own, '').trim();
    if (rest) env.NODE_OPTIONS = rest;
    else delete env.NODE_OPTIONS;
  }
  // Forked children must not load this file again.
  for (let i = process.execArgv.length - 1; i >= 0; i--) {
    const arg = process.execArgv[i];
    if (arg === self && process.execArgv[i - 1] === '--require') process.execArgv.splice(i - 1, 2), i--;
    else if (arg === `--require=${self}`) process.execArgv.splice(i, 1);
    else if (arg === '--inspect-publish-uid=stderr') process.execArgv.splice(i, 1);
  }
}

/**
 * Its children (cluster workers, forked children) open their inspector on a free port of their own when
 * anode attaches to one (SIGUSR1), instead of all on 9229, where only the first could listen. The one
 * trace of anode the program and its children see: `--inspect-port=0` in process.execArgv.
 */
function freePortsForChildren(): void {
  if (!process.execArgv.some((a) => /^--(inspect-port|debug-port)(=|$)/.test(a))) process.execArgv.push('--inspect-port=0');
  if (!('NODE_UNIQUE_ID' in env)) {
    // cluster.fork() would otherwise pick this process's port + 1, + 2, ... for its workers.
    const settings = (require('node:cluster') as { settings?: { inspectPort?: number } }).settings;
    if (settings && !('inspectPort' in settings)) settings.inspectPort = 0;
  }
}

/** Opens the inspector (or shares one the user opened: `NODE_OPTIONS=--inspect`) and returns its URL. */
function openInspector(): string {
  // Loopback only, always: the URL's random id is the only secret, and no /json/list serves it
  // (--inspect-publish-uid=stderr, set by launch.ts).
  if (inspector.url() === undefined) inspector.open(0, '127.0.0.1', false);
  return `${inspector.url()}\n`;
}

if (controlFd !== undefined && Number.isInteger(controlFd)) {
  removeTraces();
  freePortsForChildren();
  // The terminal case: the program's JavaScript-level stderr goes straight to the user's terminal (a TTY
  // the program can colour), while fd 2 carries only native writes, which anode filters.
  if (stderrFd !== undefined && Number.isInteger(stderrFd) && tty.isatty(stderrFd)) {
    const stream = new tty.WriteStream(stderrFd);
    Object.defineProperty(process, 'stderr', { configurable: true, enumerable: false, get: () => stream });
  }
  fs.writeSync(controlFd, openInspector());
  fs.closeSync(controlFd);
  // An empty console process (`anode` with no program) lives as long as anode does; anode's watchdog
  // (launch.ts) ends the program when anode goes away, even if this thread is stuck in a loop.
  if (keepAlive) setInterval(() => {}, 2 ** 31 - 1);
  if (wait) inspector.waitForDebugger();
} else if (controlDir !== undefined && takesTheConsole(controlDir)) {
  removeTraces();
  freePortsForChildren();
  // Written aside and renamed in, so anode never reads half a URL.
  const partial = path.join(controlDir, `url.${process.pid}`);
  fs.writeFileSync(partial, openInspector());
  fs.renameSync(partial, path.join(controlDir, 'url'));
  if (wait) inspector.waitForDebugger();
}
// Otherwise (npm itself, a CLI from node_modules, a process after the one that took the console) nothing
// here runs, and NODE_OPTIONS stays for the processes it starts.
