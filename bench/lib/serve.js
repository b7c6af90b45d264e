// Starting the served console (`anode run --serve PORT FILE`) and the two baselines served over TCP.
import path from 'node:path';
import { FIXTURES, anode, node } from './procs.js';

/** Thrown when a command of anode is not available (yet): the section records `skipped` rows. */
export class Unavailable extends Error {}

const SERVED = /The console is being served on (\S+):(\d+)/;

/** `anode run --serve 0 FILE`; resolves {proc, host, port} or throws Unavailable. */
export async function startServe(file = path.join(FIXTURES, 'app.js'), { timeoutMs = 8000 } = {}) {
  // Loopback needs no token: make sure none is inherited from the environment.
  const { ANODE_TOKEN: _token, ...env } = process.env;
  const proc = anode(['run', '--serve', '0', file], { env });
  try {
    const m = await proc.waitFor(SERVED, { timeoutMs });
    return { proc, host: m[1], port: Number(m[2]) };
  } catch (err) {
    await proc.kill();
    throw new Unavailable(`anode run --serve is not available: ${err.brief ?? err.message}`);
  }
}

/** A fixture that prints `... listening on PORT` on stdout; resolves {proc, port}. */
export async function startListening(fixture, args = []) {
  const proc = node([path.join(FIXTURES, fixture), ...args]);
  const m = await proc.waitFor(/listening on (\d+)/, { stream: 'stdout' });
  return { proc, port: Number(m[1]) };
}
