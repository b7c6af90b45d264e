// The agent's side of the console bindings `ainput` / `aprint` (src/session/console-io.ts is anode's side):
// a queue of requests per console, keyed by the console's token. `ainput(prompt)` queues a question and
// returns its promise; `aprint(...args)` queues text (formatted like console.log) and resolves once the
// console has shown it. anode long-polls `next(token, seen)` and answers with `answer` / `fail`; `close`
// ends a console: its questions reject with end of input, nothing of it stays pending in the program.
// Run by the agent in the target, its source sent as text: it must not reference anything outside itself.

/* eslint-disable @typescript-eslint/no-explicit-any */
export function makeConsoleIo(util: any): any {
  /** Most requests handed over per poll, and most characters of one aprint. */
  const BATCH = 100;
  const MAX_TEXT = 1_000_000;
  interface Request {
    seq: number;
    kind: 'input' | 'print';
    prompt?: string;
    text?: string;
  }
  interface Console {
    colors: boolean;
    seq: number;
    /** Requests not yet acknowledged by anode (a lost poll reply is handed over again). */
    queue: Request[];
    /** What settles each request's promise, by seq. */
    waiting: Map<number, { resolve: (v: any) => void; reject: (e: unknown) => void; kind: Request['kind'] }>;
    poll: ((requests: Request[] | null) => void) | undefined;
    bound: { ainput: (prompt?: unknown) => Promise<string>; aprint: (...args: unknown[]) => Promise<void> };
  }
  const consoles = new Map<string, Console>();
  /**
   * The inspector runs an evaluation that arrives while JavaScript runs in the middle of it (an interrupt):
   * anode's poll could run halfway through an aprint and lose its request (seen under load). What arrives
   * while one of these functions runs waits for it to end (a microtask), so each runs whole.
   */
  let busy = false;
  const serial =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      if (busy) {
        const later = new Promise<unknown>((resolve, reject) =>
          queueMicrotask(() => {
            try {
              resolve(serial(fn)(...args));
            } catch (err) {
              reject(err);
            }
          }),
        );
        return tolerated(later) as R;
      }
      busy = true;
      try {
        return fn(...args);
      } finally {
        busy = false;
      }
    };
  const closed = new Set<string>();
  // Its stack would name only the agent's own frames: the message is the whole story.
  const error = (code: string, message: string): Error => {
    const err = new Error(message);
    err.stack = `Error: ${message}`;
    return Object.assign(err, { code });
  };
  const endOfInput = (): Error => error('ANODE_EOF', 'ainput: end of input (the console closed)');
  /** A promise the program may drop unawaited: its rejection never counts as an unhandled one. */
  const tolerated = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  const gone = (what: string) => () => tolerated(Promise.reject(error('ANODE_EOF', `${what}: the console that typed this code is gone`)));
  const closedBound = { ainput: gone('ainput'), aprint: gone('aprint') };

  const enqueue = serial((c: Console, request: Omit<Request, 'seq'>): Promise<any> => {
    const seq = ++c.seq;
    const p = new Promise((resolve, reject) => c.waiting.set(seq, { resolve, reject, kind: request.kind }));
    c.queue.push({ seq, ...request });
    wake(c);
    return tolerated(p);
  });
  const wake = (c: Console): void => {
    const poll = c.poll;
    if (!poll || c.queue.length === 0) return;
    c.poll = undefined;
    poll(c.queue.slice(0, BATCH));
  };
  const open = (token: string, colors: boolean): Console | undefined => {
    if (closed.has(token)) return undefined;
    let c = consoles.get(token);
    if (!c) {
      const made: Console = { colors, seq: 0, queue: [], waiting: new Map(), poll: undefined, bound: undefined as any };
      // Named functions: they print as [Function: ainput] / [Function: aprint].
      const bound = {
        ainput(prompt: unknown = ''): Promise<string> {
          return enqueue(made, { kind: 'input', prompt: String(prompt) });
        },
        aprint(...args: unknown[]): Promise<void> {
          let text = util.formatWithOptions({ colors: made.colors }, ...args);
          if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}... (${text.length - MAX_TEXT} more characters)`;
          return enqueue(made, { kind: 'print', text: `${text}\n` }).then(() => undefined);
        },
      };
      made.bound = bound;
      consoles.set(token, (c = made));
    }
    c.colors = colors;
    return c;
  };
  const settle = (c: Console, seq: number): { resolve: (v: any) => void; reject: (e: unknown) => void; kind: Request['kind'] } | undefined => {
    const w = c.waiting.get(seq);
    c.waiting.delete(seq);
    const i = c.queue.findIndex((r) => r.seq === seq);
    if (i >= 0) c.queue.splice(i, 1);
    return w;
  };

  const api = {
    /** Makes console `token` ready (an entry that uses the bindings begins with it). */
    open(token: string, colors: boolean): void {
      open(token, colors);
    },
    /** What an entry of console `token` calls when it names ainput / aprint. */
    of(token: string): Console['bound'] | typeof closedBound {
      const bound = consoles.get(token)?.bound ?? closedBound;
      // A global of the program's own of that name (defined after the console began) is the program's.
      const own = (name: 'ainput' | 'aprint'): boolean => Object.getOwnPropertyDescriptor(globalThis, name) !== undefined;
      if (!own('ainput') && !own('aprint')) return bound;
      return {
        get ainput() {
          return own('ainput') ? (globalThis as any).ainput : bound.ainput;
        },
        get aprint() {
          return own('aprint') ? (globalThis as any).aprint : bound.aprint;
        },
      } as Console['bound'];
    },
    /** The bindings themselves, called from code no console entry wrote (an eval'd string, the program). */
    unbound: {
      ainput: (): Promise<never> =>
        tolerated(Promise.reject(error('ANODE_NO_CONSOLE', 'ainput: no console user to ask: only code typed at an anode console asks its user'))),
      aprint: (): Promise<never> =>
        tolerated(Promise.reject(error('ANODE_NO_CONSOLE', 'aprint: no console to print to: only code typed at an anode console prints to it'))),
    },
    /**
     * anode's long poll: the requests after `seen` (those up to it were received, and its prints shown),
     * once there is one; null once the console is closed (or another poll took its place).
     */
    next(token: string, seen: number, colors: boolean): Promise<Request[] | null> {
      const c = open(token, colors);
      if (!c) return Promise.resolve(null);
      while (c.queue.length > 0 && c.queue[0]!.seq <= seen) c.queue.shift();
      // The prints handed over are shown by now: this poll is their answer (one message each way per aprint).
      for (const [seq, w] of [...c.waiting]) if (seq <= seen && w.kind === 'print') settle(c, seq)?.resolve(undefined);
      c.poll?.(null);
      const p = new Promise<Request[] | null>((resolve) => (c.poll = resolve));
      wake(c);
      return p;
    },
    /** A question answered. */
    answer(token: string, seq: number, line?: string): void {
      const c = consoles.get(token);
      const w = c && settle(c, seq);
      w?.resolve(w.kind === 'input' ? line : undefined);
    },
    /** A question that got no answer: end of input ('ANODE_EOF') or cancelled ('ANODE_ABORTED'). */
    fail(token: string, seq: number, code: string, message: string): void {
      const c = consoles.get(token);
      const w = c && settle(c, seq);
      w?.reject(error(code, message));
    },
    /**
     * Rejects every question of console `token` not answered yet (its entry ended, or was interrupted);
     * returns the last request's number (one on its way to anode is not asked then).
     */
    cancel(token: string, message: string): number {
      const c = consoles.get(token);
      if (!c) return 0;
      for (const [seq, w] of [...c.waiting]) if (w.kind === 'input') settle(c, seq)?.reject(error('ANODE_ABORTED', message));
      return c.seq;
    },
    /** The console left: its questions end (end of input), its prints are dropped, its poll ends. */
    close(token: string): void {
      closed.add(token);
      const c = consoles.get(token);
      if (!c) return;
      consoles.delete(token);
      for (const w of c.waiting.values()) {
        if (w.kind === 'input') w.reject(endOfInput());
        else w.resolve(undefined);
      }
      c.waiting.clear();
      c.queue.length = 0;
      c.poll?.(null);
      c.poll = undefined;
    },
    /** How many consoles have used the bindings and not closed (a console that never names them is not one). */
    get consoles(): number {
      return consoles.size;
    },
    /** How many requests, of all consoles, wait for their answer (a test checks that none is left). */
    get pending(): number {
      let n = 0;
      for (const c of consoles.values()) n += c.waiting.size;
      return n;
    },
  };
  // anode's calls, each run whole (see `serial`).
  for (const name of ['open', 'next', 'answer', 'fail', 'cancel', 'close'] as const) (api as any)[name] = serial((api as any)[name]);
  return api;
}
