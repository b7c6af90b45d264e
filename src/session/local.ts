// A session with THIS process, through node:inspector: two in-process inspector sessions (evaluation,
// events), the same EvalSession as remote targets, with interrupts that never pause our own thread.
// On the Node releases that abort on a collected awaited promise in-process, the sessions are driven
// from a worker thread instead (see collected-promise-abort.ts).
import { inProcessSessionAborts } from './collected-promise-abort.js';
import { connectInProcess } from './inspector-channel.js';
import { EvalSession } from './session.js';
import { connectThroughWorker } from './worker-inspector-channel.js';

/** Opens a session evaluating in this process. */
export function openLocalSession(): Promise<EvalSession> {
  const connect = inProcessSessionAborts() ? connectThroughWorker : connectInProcess;
  return EvalSession.open(connect(), connect(), { inProcess: true });
}
