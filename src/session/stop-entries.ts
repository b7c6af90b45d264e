// Stopping a console entry that runs in the target (Ctrl-C), without touching the program's own code:
// pause on the event connection, look at the stack, and terminate only if one of the entry's scripts is
// on it. Used by the session's interrupt, and by the attach watchdog when anode died mid-entry.
//
// Never inside a timer or an immediate: Node runs those from a JavaScript loop (lib/internal/timers.js) that
// pushes the callback's async context before it and pops it after; terminating skips the pop, and the
// native scope around the loop then finds the async-hook stack corrupted and ends the process (exit 1,
// "async hook stack has become corrupted", on Node 20 to 26). An entry's function running as a timer
// callback (`setTimeout(() => { while (true) {} })` inside the awaited promise) is left alone and the user is
// told why. Callbacks of I/O, nextTick, microtasks and AsyncResource scopes stop safely (tested).
import type { Channel } from './channel.js';
import { ignored } from '../log/debug.js';

/**
 * How an interrupt went: stopped console code, stopped waiting, left busy program code alone, stopped
 * waiting on a program that does not answer its inspector (SIGSTOPped, or blocked outside JavaScript), or
 * stopped waiting on a program another debugger holds paused.
 */
export type InterruptResult = 'terminated' | 'abandoned' | 'busy' | 'in-timer' | 'unresponsive' | 'paused';

/** Node's module that runs timers and immediates, where a terminated callback takes the process down. */
const TIMERS_MODULE = 'node:internal/timers';

/** Which scripts are the entries to stop: by sourceURL, and (checked on the stack only) by source. */
export interface EntryScripts {
  url(url: string): boolean;
  source?(source: string): boolean;
}

const PAUSE_WAIT_MS = 300;
/** How long the inspector may take to answer the interrupt's requests before the program counts as unresponsive. */
export const ANSWER_WAIT_MS = 3000;

/** Pauses, and terminates if an entry's script is on the stack; the program's own code is left running. */
export async function stopEntries(ch: Channel, entries: EntryScripts): Promise<InterruptResult> {
  const ours = new Set<string>();
  // (A paused frame's own `url` is left empty by V8: scripts are told apart by the scriptParsed events.)
  const timers = new Set<string>();
  const offParsed = ch.on('Debugger.scriptParsed', (p) => {
    if (entries.url(p.url)) ours.add(p.scriptId);
    else if (p.url === TIMERS_MODULE) timers.add(p.scriptId);
  });
  let onPaused!: (frames: string[]) => void;
  const paused = new Promise<string[]>((resolve) => (onPaused = resolve));
  let enabled = false;
  let pausedElsewhere = false;
  const offPaused = ch.on('Debugger.paused', (p) => {
    // Before the enable's reply: the replay of a pause that another debugger holds.
    if (!enabled) pausedElsewhere = true;
    onPaused(p.callFrames.map((f: { location: { scriptId: string } }) => f.location.scriptId));
  });
  let timer: NodeJS.Timeout | undefined;
  let answerTimer: NodeJS.Timeout | undefined;
  let answered = false;
  try {
    // A stopped program answers nothing: give the prompt back instead of waiting for it. The requests
    // stay queued; when it continues, the Debugger.disable queued after them cancels the pause.
    const requested = ch.send('Debugger.enable').then(async (): Promise<'paused' | 'requested'> => {
      enabled = true;
      // Never resume (nor terminate in) a pause another debugger holds: its user is looking at it.
      if (pausedElsewhere) return 'paused';
      await ch.send('Debugger.pause');
      return 'requested';
    });
    requested.catch((err: unknown) => ignored('stopping an entry: the pause request (its answer is raced below)', err));
    const silent = new Promise<'silent'>((resolve) => (answerTimer = setTimeout(resolve, ANSWER_WAIT_MS, 'silent')));
    const answer = await Promise.race([requested, silent]);
    if (answer === 'silent') return 'unresponsive';
    answered = true;
    if (answer === 'paused') return 'paused';
    // The wait starts once the pause is requested: enabling the debugger (a scriptParsed event per
    // loaded script) can alone take longer than PAUSE_WAIT_MS on a busy machine.
    const frames = await Promise.race([
      paused,
      new Promise<undefined>((resolve) => (timer = setTimeout(resolve, PAUSE_WAIT_MS, undefined))),
    ]);
    if (frames === undefined) return 'abandoned';
    if (await anyOurs(ch, frames, ours, entries)) {
      if (frames.some((id) => timers.has(id))) {
        await ch.send('Debugger.resume');
        return 'in-timer';
      }
      const terminated = ch.send('Runtime.terminateExecution');
      await ch.send('Debugger.resume');
      await terminated;
      return 'terminated';
    }
    await ch.send('Debugger.resume');
    return 'busy';
  } finally {
    clearTimeout(timer);
    clearTimeout(answerTimer);
    offParsed();
    offPaused();
    const disabled = ch.send('Debugger.disable').catch((err: unknown) => ignored('stopping an entry: Debugger.disable', err));
    if (answered) await disabled;
  }
}

/** True if one of the paused frames runs an entry's script. */
async function anyOurs(ch: Channel, frames: string[], ours: Set<string>, entries: EntryScripts): Promise<boolean> {
  for (const scriptId of new Set(frames.filter((id) => ours.has(id)))) {
    if (!entries.source) return true;
    const { scriptSource } = await ch.send('Debugger.getScriptSource', { scriptId });
    if (entries.source(scriptSource)) return true;
  }
  return false;
}
