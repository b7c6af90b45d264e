// A session with THIS process, through node:inspector: two in-process inspector sessions (evaluation,
// events), the same EvalSession as remote targets, with interrupts that never pause our own thread.
import { connectInProcess } from './inspector-channel.js';
import { EvalSession } from './session.js';

/** Opens a session evaluating in this process. */
export function openLocalSession(): Promise<EvalSession> {
  return EvalSession.open(connectInProcess(), connectInProcess(), { inProcess: true });
}
