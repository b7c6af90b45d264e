// One console per client over one shared EvalSession: each client gets its own ConsoleEngine and
// Evaluator (own output, own object group), all in the same program's global scope. A client whose first
// line is the anode protocol's hello (`anode connect`) is served structured messages over that same
// Evaluator instead (protocol-server.ts); everyone else gets the plain-text console.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleEngine } from '../console/engine.js';
import { engineIo } from '../console/engine-io.js';
import type { ConsoleIo } from '../session/console-io.js';
import type { LineEvaluator } from '../console/types.js';
import { TargetedEvaluator, type ProcessReach } from '../session/targeted-evaluator.js';
import type { EvalSession } from '../session/session.js';
import { listen, type LineServer, type ListenOptions, type ServedClient } from './listener.js';
import { ProtocolSniffer } from './protocol-sniffer.js';
import { LineLimiter } from './line-limit.js';
import { serveProtocolClient, type ProtocolSession } from './protocol-server.js';
import { ProtocolOutput } from './protocol-output.js';
import { visibleText } from './visible-text.js';
import { DEFAULT_MAX_ENTRY_PARSE, DEFAULT_MAX_LINE_LENGTH } from './line-limit.js';

export interface ConsoleServerOptions extends ListenOptions {
  banner?: string | undefined;
  prompt?: string | undefined;
  /** Colour results with ANSI escapes (off by default: plain text for nc). */
  colors?: boolean | undefined;
  /** Wraps each client's evaluator (the library uses it to route ainput/aprint to the client). */
  wrapEvaluator?: ((evaluator: LineEvaluator, client: ServedClient, engine: () => Pick<ConsoleEngine, 'ask'>) => LineEvaluator) | undefined;
  /** Settles with what clients are told when the program is gone (default: the session's end reason). */
  ended?: Promise<string> | undefined;
  /** How each client's console reaches the program's child processes (`.children`, `.attach PID`). */
  processes?: ProcessReach | undefined;
}

/** The line every served client sees under the banner. */
export const SHARED_SCOPE_NOTE = "Served console: every client shares the program's global scope; results stay in your own stream.";

/** How long a console that saw the program go waits for the session to say why. */
const ENDED_WAIT_MS = 2000;
/**
 * How long the entries of a plain client that ended its input (Ctrl-D in nc, `nc -N`) may still run: a
 * piped transcript gets its results, and an entry that would run for ever (`while (true) {}`, an endless
 * await) is stopped as Ctrl-C would stop it, so that the program is not held and the client's place is freed.
 */
export const END_OF_INPUT_GRACE_MS = 1000;

/** Serves a console per client over `session` until close() or the session ends. */
export async function startConsoleServer(session: EvalSession, options: ConsoleServerOptions): Promise<LineServer> {
  const ended = options.ended ?? session.ended;
  /** How to tell each connected client, once, that the program is gone (its engine or protocol session). */
  const tellers = new Set<(reason: string) => void>();
  let gone: string | undefined;
  const log = options.log ?? ((m: string) => void process.stderr.write(`anode: ${m}\n`));
  const banner = [options.banner, SHARED_SCOPE_NOTE].filter(Boolean).join('\n');
  const prompt = options.prompt ?? '> ';
  const lineServer = await listen(options, async (client) => {
    // `ainput` / `aprint` typed by this client reach this client: its plain console, or its protocol session.
    let io: ConsoleIo | undefined;
    const evaluator = new TargetedEvaluator(session, {
      colors: options.colors ?? false,
      io: () => io,
      ...(options.processes ? { processes: options.processes } : {}),
    });
    const input = new ProtocolSniffer();
    let hello: string | undefined;
    // `.console on`: the program's bytes reach this client made visible, unless it is a terminal that
    // asked for colour (an `anode connect` whose hello says colors).
    const watchRaw = evaluator.watchOutput.bind(evaluator);
    evaluator.watchOutput = (listener) => {
      if (hello !== undefined && evaluator.colors) return watchRaw(listener);
      // Formatted without anode's own colours too: they would show as ^[[32m.
      const colors = evaluator.colors;
      evaluator.colors = false;
      try {
        return watchRaw((text) => listener(visibleText(text)));
      } finally {
        evaluator.colors = colors;
      }
    };
    let engine: ConsoleEngine | undefined;
    engine = new ConsoleEngine({
      input,
      output: client.output,
      evaluator: options.wrapEvaluator ? options.wrapEvaluator(evaluator, client, () => engine!) : evaluator,
      terminal: false,
      prompt,
      banner,
      // A multi-line entry is held to the line limit too, and to a bounded amount of re-parsing.
      maxLineLength: options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
      maxEntryParse: DEFAULT_MAX_ENTRY_PARSE,
    });
    io = engineIo(engine);
    input.once('hello', (line: string) => {
      hello = line;
      io = undefined;
      engine.close();
    });
    let said = false;
    let closeConsole = (message?: string): void => {
      // After the engine has stopped by itself, close() would print nothing: say it directly, once.
      engine.close();
      if (message && !said) engine.write(`\nanode: ${message}\n`);
      said ||= message !== undefined;
    };
    const close = (message?: string): void => closeConsole(message);
    let told = false;
    const tell = (reason: string): void => {
      if (told) return;
      told = true;
      close(`${reason}; closing the console`);
    };
    const onAbort = (): void => close(client.signal.reason === 'closing' ? 'the console server is closing' : undefined);
    client.signal.addEventListener('abort', onAbort, { once: true });
    tellers.add(tell);
    let finished = false;
    let graceTimer: NodeJS.Timeout | undefined;
    void client.inputEnded.then(() => {
      if (finished || hello !== undefined) return;
      graceTimer = setTimeout(() => {
        if (finished || hello !== undefined) return;
        told = true;
        close('end of input: the running entry was stopped (as Ctrl-C would); closing the console');
      }, END_OF_INPUT_GRACE_MS);
    });
    try {
      if (gone !== undefined) tell(gone);
      const running = engine.run();
      void running.then(() => (finished = true));
      client.input.pipe(input);
      const end = await running;
      if (hello !== undefined && !client.signal.aborted && gone === undefined) {
        // An anode client: the same evaluator, spoken to in messages (aprint goes out as `output`, ainput as `ask`).
        const output = new ProtocolOutput(client.output);
        const asker = { ask: (prompt: string, signal?: AbortSignal) => structured.ask(prompt, signal) };
        const structured: ProtocolSession = serveProtocolClient({
          hello,
          input,
          output: client.output,
          evaluator: options.wrapEvaluator ? options.wrapEvaluator(evaluator, { ...client, output }, () => asker) : evaluator,
          banner,
          prompt,
          remote: client.remote,
          log,
          onHello: (h) => void (evaluator.colors = h.colors ?? evaluator.colors),
          limiter: client.input instanceof LineLimiter ? client.input : undefined,
        });
        io = { ask: (p, signal) => structured.ask(p, signal), print: (text) => void output.write(text) };
        closeConsole = (message) => structured.close(message);
        await structured.done;
      } else if (end === 'closed' && !told && !client.signal.aborted) {
        // A running entry can see the program go before the session does: this client still hears why.
        const reason = gone ?? (await Promise.race([ended, sleep(ENDED_WAIT_MS, undefined, { ref: false })]));
        if (reason !== undefined) tell(reason);
      }
    } finally {
      finished = true;
      clearTimeout(graceTimer);
      tellers.delete(tell);
      io = undefined;
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
