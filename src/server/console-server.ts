// One console per client over one shared EvalSession: each client gets its own ConsoleEngine and
// Evaluator (own output, own object group), all in the same program's global scope.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleEngine } from '../console/engine.js';
import type { LineEvaluator } from '../console/types.js';
import { Evaluator } from '../session/evaluator.js';
import type { EvalSession } from '../session/session.js';
import { listen, type LineServer, type ListenOptions, type ServedClient } from './listener.js';

export interface ConsoleServerOptions extends ListenOptions {
  banner?: string | undefined;
  prompt?: string | undefined;
  /** Colour results with ANSI escapes (off by default: plain text for nc). */
  colors?: boolean | undefined;
  /** Wraps each client's evaluator (the library uses it to route ainput/aprint to the client). */
  wrapEvaluator?: ((evaluator: LineEvaluator, client: ServedClient, engine: () => ConsoleEngine) => LineEvaluator) | undefined;
  /** Settles with what clients are told when the program is gone (default: the session's end reason). */
  ended?: Promise<string> | undefined;
}

/** The line every served client sees under the banner. */
export const SHARED_SCOPE_NOTE = "Served console: every client shares the program's global scope; results stay in your own stream.";

/** How long a console that saw the program go waits for the session to say why. */
const ENDED_WAIT_MS = 2000;

/** Serves a console per client over `session` until close() or the session ends. */
export async function startConsoleServer(session: EvalSession, options: ConsoleServerOptions): Promise<LineServer> {
  const ended = options.ended ?? session.ended;
  /** How to tell each connected client that the program is gone (once). */
  const tellers = new Set<(reason: string) => void>();
  let gone: string | undefined;
  const lineServer = await listen(options, async (client) => {
    const evaluator = new Evaluator(session, { colors: options.colors ?? false });
    let engine: ConsoleEngine | undefined;
    engine = new ConsoleEngine({
      input: client.input,
      output: client.output,
      evaluator: options.wrapEvaluator ? options.wrapEvaluator(evaluator, client, () => engine!) : evaluator,
      terminal: false,
      prompt: options.prompt ?? '> ',
      banner: [options.banner, SHARED_SCOPE_NOTE].filter(Boolean).join('\n'),
    });
    let told = false;
    const tell = (reason: string): void => {
      if (told) return;
      told = true;
      engine.close();
      engine.write(`\nanode: ${reason}; closing the console\n`);
    };
    const onAbort = (): void => {
      engine.close(client.signal.reason === 'closing' ? 'anode: the console server is closing' : undefined);
    };
    client.signal.addEventListener('abort', onAbort, { once: true });
    if (gone !== undefined) tell(gone);
    tellers.add(tell);
    try {
      const end = await engine.run();
      // A running entry can see the program go before the session does: this client still hears why.
      if (end === 'closed' && !told && !client.signal.aborted) {
        const reason = gone ?? (await Promise.race([ended, sleep(ENDED_WAIT_MS, undefined, { ref: false })]));
        if (reason !== undefined) tell(reason);
      }
    } finally {
      tellers.delete(tell);
      void evaluator.dispose();
      client.signal.removeEventListener('abort', onAbort);
    }
  });
  // The program is gone: tell every client, then stop serving.
  void ended.then((reason) => {
    gone = reason;
    for (const tell of tellers) tell(reason);
    void lineServer.close();
  });
  return lineServer;
}
