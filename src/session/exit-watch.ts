// Learning an attached program's exit code: anode is not its parent, so the program reports it itself.
// A CDP binding (Runtime.addBinding) is called from a `process.once('exit')` listener; Node then waits for
// its debuggers to leave, so the report arrives before the session ends.
import { randomUUID } from 'node:crypto';
import { AGENT_REF } from './agent.js';
import type { EvalSession } from './session.js';
import { ignored } from '../log/debug.js';

/** The exit code the program reported, if it ran its `exit` event while watched. */
export interface ExitWatch {
  code(): number | undefined;
  /** Removes the listener and the binding (when leaving a program that keeps running). */
  dispose(): Promise<void>;
}

/** Starts watching for the program's exit code; never fails (an unwatched exit just has no code). */
export async function watchExit(session: EvalSession): Promise<ExitWatch> {
  const name = `__anode_exit_${randomUUID().replace(/-/g, '')}`;
  let code: number | undefined;
  const off = session.eventChannel.onRaw('Runtime.bindingCalled', (p) => {
    const { name: called, payload } = p as { name: string; payload: string };
    if (called === name && /^-?\d+$/.test(payload)) code = Number(payload);
  });
  const slot = `${AGENT_REF}[${JSON.stringify(name)}]`;
  try {
    await session.eventChannel.send('Runtime.addBinding', { name });
    // The global the binding adds is removed at once: the listener keeps its own reference.
    const r = await session.evalChannel.send('Runtime.evaluate', {
      expression: `(() => {
        const report = globalThis[${JSON.stringify(name)}];
        delete globalThis[${JSON.stringify(name)}];
        const onExit = (c) => { try { report(String(c ?? process.exitCode ?? 0)); } catch {} };
        ${slot} = onExit;
        process.once('exit', onExit);
      })()`,
    });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
  } catch {
    off();
    return { code: () => undefined, dispose: async () => undefined };
  }
  return {
    code: () => code,
    async dispose() {
      off();
      await session.evalChannel
        .send('Runtime.evaluate', { expression: `process.off('exit', ${slot}), delete ${slot}` })
        .catch((err: unknown) => ignored('removing the exit listener', err));
      await session.eventChannel.send('Runtime.removeBinding', { name }).catch((err: unknown) => ignored('removing the exit binding', err));
    },
  };
}
