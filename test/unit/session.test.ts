// The evaluation session and evaluator over a fake CDP transport: the protocol decisions, no target.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Channel, Events, Method, Params, Result } from '../../src/session/channel.js';
import { Evaluator } from '../../src/session/evaluator.js';
import { EvalSession } from '../../src/session/session.js';

type Handler = (params: Record<string, unknown>) => unknown;

/** A Channel that answers commands from a table and lets the test emit events. */
class FakeChannel implements Channel {
  readonly sent: { method: string; params: Record<string, unknown> }[] = [];
  readonly events = new EventEmitter();
  closed: Promise<string>;
  #close!: (reason: string) => void;
  constructor(private handlers: Record<string, Handler> = {}) {
    this.closed = new Promise((r) => (this.#close = r));
  }
  async send<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
    return (await this.sendRaw(method, params as object | undefined)) as Result<M>;
  }
  async sendRaw(method: string, params: object = {}): Promise<unknown> {
    this.sent.push({ method, params: params as Record<string, unknown> });
    const handler = this.handlers[method];
    return handler ? handler(params as Record<string, unknown>) : {};
  }
  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): () => void {
    return this.onRaw(event, listener as (p: unknown) => void);
  }
  onRaw(event: string, listener: (params: unknown) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }
  emit(event: string, params: unknown): void {
    this.events.emit(event, params);
  }
  async close(): Promise<void> {
    this.#close('closed');
  }
  methods(): string[] {
    return this.sent.map((s) => s.method);
  }
}

const INFO = { pid: 42, nodeVersion: 'v20.0.0', mainFile: '/app.js', argv: ['node', '/app.js'] };

function evalChannel(evaluate: Handler): FakeChannel {
  return new FakeChannel({
    'Runtime.evaluate': (p) => {
      const expr = String(p.expression);
      if (expr.includes('installAgent')) return { result: { type: 'number', value: 1 } };
      if (expr.includes('freeNames')) return { result: { type: 'object', value: ['_', '_error', 'require', 'main'] } };
      if (expr.startsWith('({ pid:')) return { result: { type: 'object', value: INFO } };
      return evaluate(p);
    },
    'Runtime.globalLexicalScopeNames': () => ({ names: [] }),
  });
}

async function open(evaluate: Handler = () => ({ result: { type: 'undefined' } }), events = new FakeChannel()) {
  const ev = evalChannel(evaluate);
  const session = await EvalSession.open(ev, events);
  return { session, ev, events };
}

describe('EvalSession', () => {
  it('installs the agent, declares the bindings after releasing a held program, reads the target', async () => {
    const { session, ev, events } = await open();
    expect(session.info).toEqual(INFO);
    expect(events.methods()).toEqual(['NodeRuntime.notifyWhenWaitingForDisconnect']);
    const methods = ev.methods();
    expect(methods.indexOf('Runtime.runIfWaitingForDebugger')).toBeLessThan(methods.lastIndexOf('Runtime.evaluate'));
    const bindings = ev.sent.filter((m) => m.method === 'Runtime.evaluate').at(-1)!;
    expect(bindings.params.replMode).toBe(true);
    expect(String(bindings.params.expression)).toMatch(/let _;[\s\S]*let require =[\s\S]*let main;/);
  });

  it('ends when the program waits for its debugger to disconnect, and leaves', async () => {
    const { session, ev } = await open();
    const ended = session.ended;
    ev.emit('x', 1);
    (session.eventChannel as FakeChannel).emit('NodeRuntime.waitingForDisconnect', {});
    expect(await ended).toBe('the program finished');
  });

  it('interrupt terminates only when the paused stack holds the console entry', async () => {
    const events = new FakeChannel({
      'Debugger.enable': () => {
        events.emit('Debugger.scriptParsed', { scriptId: '7', url: 'REPL1' });
        events.emit('Debugger.scriptParsed', { scriptId: '8', url: 'file:///app.js' });
        return {};
      },
      'Debugger.pause': () => {
        setImmediate(() => events.emit('Debugger.paused', { callFrames: [{ location: { scriptId: '8' } }, { location: { scriptId: '7' } }] }));
        return {};
      },
    });
    const { session } = await open(undefined, events);
    expect(await session.interrupt('REPL1')).toBe('terminated');
    expect(events.methods().slice(1)).toEqual([
      'Debugger.enable',
      'Debugger.pause',
      'Runtime.terminateExecution',
      'Debugger.resume',
      'Debugger.disable',
    ]);
    events.sent.length = 0;
    expect(await session.interrupt('REPL2')).toBe('busy');
    expect(events.methods()).not.toContain('Runtime.terminateExecution');
  });

  it('interrupt of an idle target (a pending await) only stops waiting', async () => {
    const { session, events } = await open();
    expect(await session.interrupt('REPL1')).toBe('abandoned');
    expect(events.methods()).not.toContain('Runtime.terminateExecution');
    expect(events.methods().at(-1)).toBe('Debugger.disable');
  });
});

describe('Evaluator', () => {
  it('formats primitives locally in one round trip', async () => {
    const { session, ev } = await open(() => ({ result: { type: 'number', value: 2, description: '2' } }));
    const before = ev.sent.length;
    expect(await new Evaluator(session).evaluate('1+1')).toEqual({ kind: 'value', text: '2' });
    expect(ev.sent.length - before).toBe(1);
  });

  it('formats objects in the target and releases them', async () => {
    const { session, ev } = await open(() => ({ result: { type: 'object', objectId: 'o1' } }));
    ev['handlers']['Runtime.callFunctionOn'] = () => ({ result: { type: 'string', value: '{ a: 1 }' } });
    expect(await new Evaluator(session).evaluate('({a: 1})')).toEqual({ kind: 'value', text: '{ a: 1 }' });
    expect(ev.methods().slice(-2)).toEqual(['Runtime.callFunctionOn', 'Runtime.releaseObjectGroup']);
  });

  it('reports thrown primitives as Uncaught and a destroyed context as the program ending', async () => {
    let mode = 'throw';
    const { session } = await open(() => {
      if (mode === 'throw') return { result: { type: 'string' }, exceptionDetails: { text: 'Uncaught', exception: { type: 'string', value: 'x' } } };
      throw new Error('Execution context was destroyed.');
    });
    const evaluator = new Evaluator(session);
    expect(await evaluator.evaluate("throw 'x'")).toEqual({ kind: 'error', text: "Uncaught 'x'" });
    mode = 'exit';
    await expect(evaluator.evaluate('process.exit(3)')).rejects.toMatchObject({ code: 'ANODE_TARGET_CLOSED' });
  });

  it('an abort interrupts and resolves as interrupted', async () => {
    const { session } = await open((p) => (String(p.expression).includes('new Promise') ? new Promise(() => {}) : { result: { type: 'undefined' } }));
    const controller = new AbortController();
    const pending = new Evaluator(session).evaluate('await new Promise(() => {})', { signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'interrupted', text: expect.stringMatching(/stopped waiting/) });
  });
});
