// A session with a target reached over its inspector WebSocket: two connections, one for evaluation and
// one for events, so evaluation replies never wait behind event traffic (notes/inspector-facts.md).
import { connectChannel } from './cdp-client.js';
import { EvalSession } from './session.js';

/** Connects to `url` and prepares the console in the target. */
export async function openRemoteSession(url: string): Promise<EvalSession> {
  const [evalChannel, eventChannel] = await Promise.all([connectChannel(url), connectChannel(url)]);
  try {
    return await EvalSession.open(evalChannel, eventChannel);
  } catch (err) {
    await Promise.all([evalChannel.close(), eventChannel.close()]);
    throw err;
  }
}
