// A session with THIS process, through node:inspector: two in-process inspector sessions (evaluation,
// events), the same EvalSession as remote targets, with interrupts that never pause our own thread.
import { connectInProcess } from './inspector-channel.js';
import { EvalSession } from './session.js';

/** Opens a session evaluating in this process. */
export async function openLocalSession(): Promise<EvalSession> {
  const evalChannel = connectInProcess();
  const eventChannel = connectInProcess();
  try {
    return await EvalSession.open(evalChannel, eventChannel, { inProcess: true });
  } catch (err) {
    await Promise.all([evalChannel.close(), eventChannel.close()]);
    throw err;
  }
}
