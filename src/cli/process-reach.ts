// How a terminal or served console reaches the program's child processes (`.children`, `.attach PID`):
// the same pid checks and the same inspector rule as `anode attach` (an inspector anode opened is closed
// again on leaving).
import { childNodeProcesses } from '../program/node-processes.js';
import type { ProcessReach } from '../session/targeted-evaluator.js';
import { connect, detach } from './attachment.js';

/** How long `.attach` waits for an inspector opened with SIGUSR1 (as `anode attach --timeout`). */
const ATTACH_TIMEOUT_MS = 5000;

export const processReach: ProcessReach = {
  children: (pid) => childNodeProcesses(pid),
  async attach(pid) {
    const attached = await connect(String(pid), ATTACH_TIMEOUT_MS);
    return { session: attached.session, leave: () => detach(attached) };
  },
};
