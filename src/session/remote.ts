// A session with a target reached over its inspector WebSocket: two connections, one for evaluation and
// one for events, so evaluation replies never wait behind event traffic (notes/inspector-facts.md).
import { connectChannel } from './cdp-client.js';
import type { Channel } from './channel.js';
import { EvalSession } from './session.js';

/**
 * Connects to `url` and prepares the console in the target. `connecting` is called before each connection
 * is opened (the inspector prints `Debugger attached.` for each: `anode run` hides those lines).
 */
export async function openRemoteSession(url: string, options: { connecting?: () => void } = {}): Promise<EvalSession> {
  const open = (): Promise<Channel> => {
    options.connecting?.();
    return connectChannel(url);
  };
  const [a, b] = await Promise.allSettled([open(), open()]);
  if (a.status === 'rejected' || b.status === 'rejected') {
    // One connection alone is no session: close the one that opened.
    for (const r of [a, b]) if (r.status === 'fulfilled') await r.value.close();
    throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
  }
  return EvalSession.open(a.value, b.value);
}
