// Loaded into the program by `anode run` (node --require) before its own code. It opens the inspector on
// an ephemeral loopback port and hands the URL to anode over a private pipe.
// It then removes every trace of itself (env, execArgv) so the program and its children see exactly what
// they would without anode.
import inspector = require('node:inspector');
import fs = require('node:fs');
import tty = require('node:tty');

const env = process.env;
const controlFd = Number(env.ANODE_CONTROL_FD);
const stderrFd = env.ANODE_STDERR_FD === undefined ? undefined : Number(env.ANODE_STDERR_FD);
const wait = env.ANODE_WAIT === '1';
const keepAlive = env.ANODE_KEEPALIVE === '1';
delete env.ANODE_CONTROL_FD;
delete env.ANODE_STDERR_FD;
delete env.ANODE_WAIT;
delete env.ANODE_KEEPALIVE;

// Forked children must not load this file again.
const self = __filename;
for (let i = process.execArgv.length - 1; i >= 0; i--) {
  const arg = process.execArgv[i];
  if (arg === self && process.execArgv[i - 1] === '--require') process.execArgv.splice(i - 1, 2), i--;
  else if (arg === `--require=${self}`) process.execArgv.splice(i, 1);
  else if (arg === '--inspect-publish-uid=stderr') process.execArgv.splice(i, 1);
}

if (Number.isInteger(controlFd)) {
  // The terminal case: the program's JavaScript-level stderr goes straight to the user's terminal (a TTY
  // the program can colour), while fd 2 carries only native writes, which anode filters.
  if (stderrFd !== undefined && Number.isInteger(stderrFd) && tty.isatty(stderrFd)) {
    const stream = new tty.WriteStream(stderrFd);
    Object.defineProperty(process, 'stderr', { configurable: true, enumerable: false, get: () => stream });
  }
  // Loopback only, always: the URL's random id is the only secret, and no /json/list serves it
  // (--inspect-publish-uid=stderr, set by launch.ts).
  // An inspector the user opened (`NODE_OPTIONS=--inspect`) is shared: the console and DevTools both use it.
  if (inspector.url() === undefined) inspector.open(0, '127.0.0.1', false);
  fs.writeSync(controlFd, `${inspector.url()}\n`);
  fs.closeSync(controlFd);
  // An empty console process (`anode` with no program) lives as long as anode does; anode's watchdog
  // (launch.ts) ends the program when anode goes away, even if this thread is stuck in a loop.
  if (keepAlive) setInterval(() => {}, 2 ** 31 - 1);
  if (wait) inspector.waitForDebugger();
}
