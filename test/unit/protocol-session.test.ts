// The served protocol end to end in memory: serveProtocolClient (server) and openConsole +
// RemoteLineEvaluator (client) over an in-memory stream pair, with a stub evaluator: every message type,
// the capability negotiation, minor-version interop, and structured errors (with request ids).
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EvalOutcome, Inspection, LineEvaluator } from '../../src/console/types.js';
import type { EvalSession } from '../../src/session/session.js';
import { TargetClosedError } from '../../src/errors.js';
import { LineLimiter } from '../../src/server/line-limit.js';
import { openConsole, type ConnectOptions, type ProtocolConnection } from '../../src/server/protocol-client.js';
import { serveProtocolClient, type ProtocolSession } from '../../src/server/protocol-server.js';
import { RemoteLineEvaluator } from '../../src/server/remote-evaluator.js';
import { waitUntil } from '../helpers/wait.js';

/** Two connected in-memory duplex streams: what one writes, the other reads (a tick later, as a socket would). */
function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      allowHalfOpen: false,
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => other().push(chunk));
        callback();
      },
      final(callback) {
        setImmediate(() => other().push(null));
        callback();
      },
    });
  sides.push(make(() => sides[1]!), make(() => sides[0]!));
  return [sides[0]!, sides[1]!];
}

/** A stub evaluator: `n` evaluates to n * 2; `hang` waits until interrupted; `gone` loses the program. */
function stubEvaluator(options: { preview?: boolean; inspection?: () => Inspection } = {}): LineEvaluator & { watchers: Set<(t: string) => void>; asked: string[] } {
  const watchers = new Set<(t: string) => void>();
  const evaluator = {
    watchers,
    asked: [] as string[],
    evaluate(code: string, opts: { signal?: AbortSignal; notify?: (text: string) => void } = {}): Promise<EvalOutcome> {
      if (code === 'hang') {
        return new Promise((resolve) => opts.signal?.addEventListener('abort', () => resolve({ kind: 'interrupted', text: 'Interrupted' })));
      }
      if (code === 'gone') return Promise.reject(new TargetClosedError('the program exited (code 0)'));
      if (code === 'say') opts.notify?.('said');
      return Promise.resolve({ kind: 'value', text: String(Number(code) * 2) });
    },
    complete: (line: string): Promise<[string[], string]> => Promise.resolve([['ticks'], line.slice(-3)]),
    scope: (file?: string) => Promise.resolve(file === 'bad' ? Promise.reject(new Error('no such module')) : `scope of ${file ?? 'main'}`),
    watchOutput(listener: (t: string) => void) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
  } as LineEvaluator & { watchers: Set<(t: string) => void>; asked: string[] };
  if (options.inspection) evaluator.inspection = options.inspection;
  if (options.preview !== false) evaluator.preview = (code: string) => Promise.resolve(`preview of ${code}`);
  return evaluator;
}

interface Pair {
  connection: ProtocolConnection;
  remote: RemoteLineEvaluator;
  session: ProtocolSession;
  evaluator: ReturnType<typeof stubEvaluator>;
  log: string[];
  /** Writes a raw line to the server as the client. */
  raw(line: string): void;
  /** Raw lines the client received after the welcome. */
  received: string[];
  serverSide: Duplex;
}

/** A served console (banner first, then the hello, as the listener hands it over) and a client greeting it. */
async function pair(options: ConnectOptions = {}, evaluatorOptions: { preview?: boolean; inspection?: () => Inspection } = {}, maxLine = 1024): Promise<Pair> {
  const [clientSide, serverSide] = duplexPair();
  const limiter = new LineLimiter(maxLine, (n) => serverSide.write(`anode: line too long (${n} bytes, limit ${maxLine}); discarded\n`));
  const lines = new PassThrough();
  serverSide.pipe(limiter);
  const evaluator = stubEvaluator(evaluatorOptions);
  const log: string[] = [];
  const received: string[] = [];
  clientSide.on('data', (d: Buffer) => received.push(...d.toString().split('\n').filter(Boolean)));
  const hello = new Promise<string>((resolve) => {
    limiter.once('data', (first: Buffer) => {
      limiter.pipe(lines);
      resolve(first.toString().trimEnd());
    });
  });
  serverSide.write('banner\n> ');
  const connecting = openConsole(clientSide, 'memory', options);
  const session = serveProtocolClient({ hello: await hello, input: lines, output: serverSide, evaluator, banner: 'hi', prompt: '> ', remote: 'memory', log: (m) => log.push(m), limiter });
  const connection = await connecting;
  received.length = 0;
  return { connection, remote: new RemoteLineEvaluator(connection), session, evaluator, log, raw: (l) => clientSide.write(`${l}\n`), received, serverSide };
}

describe('served protocol over an in-memory stream pair', () => {
  it('greets with the capabilities both sides have, and serves every request', async () => {
    const p = await pair();
    expect(p.connection.welcome).toMatchObject({ type: 'welcome', version: 1, minor: 2, banner: 'hi', prompt: '> ' });
    // An evaluator with no inspector session offers no loop commands: the client says the old one line.
    expect(p.remote.remoteInspection()).toBeUndefined();
    expect([...p.connection.capabilities].sort()).toEqual(['ask', 'colors', 'preview', 'scope', 'structured-errors', 'watch']);
    expect(await p.remote.evaluate('21')).toEqual({ kind: 'value', text: '42' });
    expect(await p.remote.complete('x.tic')).toEqual([['ticks'], 'tic']);
    expect(await p.remote.preview('1 +', 80)).toBe('preview of 1 +');
    expect(await p.remote.scope()).toBe('scope of main');
    expect(await p.remote.scope('bad')).toBe('anode: no such module');
    // Ctrl-C: the interrupt names the entry; its result says so.
    const controller = new AbortController();
    const hanging = p.remote.evaluate('hang', { signal: controller.signal });
    controller.abort();
    expect(await hanging).toEqual({ kind: 'interrupted', text: 'Interrupted' });
    // Mirrored output, and what an entry writes to its console.
    const mirrored: string[] = [];
    const unwatch = p.remote.watchOutput((t) => mirrored.push(t));
    await waitUntil(() => p.evaluator.watchers.size === 1, () => 'the server watches');
    for (const w of p.evaluator.watchers) w('[program] hi\n');
    await waitUntil(() => mirrored.length === 1, () => 'mirrored output');
    unwatch();
    await waitUntil(() => p.evaluator.watchers.size === 0, () => 'the server stops watching');
    const notices: string[] = [];
    p.remote.noticeListeners.add((t) => notices.push(t));
    expect(await p.remote.evaluate('say')).toMatchObject({ kind: 'value' });
    expect(notices).toEqual(['said\n']);
    // ainput in the program: the server asks, the client answers.
    p.remote.onAsk = (prompt) => Promise.resolve(`answer to ${prompt}`);
    expect(await p.session.ask('name? ')).toBe('answer to name? ');
    p.connection.close();
    await p.session.done;
  });

  it('runs the loop commands for the client: pid, progress each new percent, the snapshot in order, then the end', async () => {
    // A session whose inspector takes a snapshot of three chunks, reporting progress on 6 objects.
    const handlers = new Map<string, (p: unknown) => void>();
    const sent: string[] = [];
    const channel = {
      onRaw: (event: string, handler: (p: unknown) => void) => {
        handlers.set(event, handler);
        return () => handlers.delete(event);
      },
      send: (method: string) => (sent.push(method), Promise.resolve({})),
      sendRaw: (method: string) => {
        sent.push(method);
        if (method === 'HeapProfiler.takeHeapSnapshot') {
          for (const done of [0, 3, 3, 6]) handlers.get('HeapProfiler.reportHeapSnapshotProgress')!({ done, total: 6 });
          for (const chunk of ['{"snapshot":', '{"node_count":2}', ',"strings":["é"]}']) handlers.get('HeapProfiler.addHeapSnapshotChunk')!({ chunk });
        }
        return Promise.resolve({});
      },
    };
    const session = { info: { pid: 4242 }, eventChannel: channel } as unknown as EvalSession;
    const p = await pair({}, { inspection: () => ({ session, colors: false }) });
    expect(p.connection.capabilities.has('inspect')).toBe(true);
    const remote = p.remote.remoteInspection()!;
    const seen: string[] = [];
    const reply = await remote.run('heapsnapshot', '', {
      started: (pid) => seen.push(`pid ${pid}`),
      progress: (text) => seen.push(text),
      chunk: (data) => seen.push(data),
    });
    expect(reply).toEqual({ text: '', ms: undefined });
    expect(seen).toEqual([
      'pid 4242',
      'heap snapshot 0% (0 of 6 objects)',
      'heap snapshot 50% (3 of 6 objects)',
      'heap snapshot 100% (6 of 6 objects)',
      '{"snapshot":',
      '{"node_count":2}',
      ',"strings":["é"]}',
    ]);
    // The profiler domain is left as it was found.
    expect(sent).toEqual(['HeapProfiler.enable', 'HeapProfiler.takeHeapSnapshot', 'HeapProfiler.disable']);
    // A usage mistake is answered without touching the program; a failure there comes back as an error.
    expect(await remote.run('loop', 'sideways', {})).toEqual({ text: 'usage: .loop [all] [deep] [json]\n', ms: undefined });
    channel.send = () => Promise.reject(new Error('the inspector said no'));
    await expect(remote.run('heapsnapshot', '', {})).rejects.toThrow('the inspector said no');
    p.connection.close();
    await p.session.done;
  });

  it('answers what it cannot serve with a structured error carrying the request id', async () => {
    const p = await pair();
    const hanging = p.remote.evaluate('hang');
    p.raw('{"type":"eval","id":77,"code":"1"}');
    p.raw('{"type":"eval","id":78}');
    p.raw(`{"type":"eval","id":79,"code":"'${'x'.repeat(2000)}'"}`);
    p.raw('{"type":"launch","id":80}');
    const errors = async (): Promise<Record<string, unknown>[]> =>
      waitUntil(
        () => {
          const found = p.received.map((l) => JSON.parse(l) as Record<string, unknown>).filter((m) => m.type === 'error');
          return found.length >= 4 ? found : undefined;
        },
        () => p.received.join('\n'),
      );
    // (The over-long line is answered as it is cut, before the lines ahead of it are read.)
    expect((await errors()).sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { type: 'error', id: 77, code: 'busy', message: 'entry 1 is still running: one entry at a time' },
      { type: 'error', id: 78, code: 'bad-message', message: "bad anode protocol message: 'eval' needs a string 'code'" },
      { type: 'error', id: 79, code: 'line-too-long', limit: 1024, message: expect.stringMatching(/^line too long \(\d+ bytes, limit 1024\); discarded$/) },
      { type: 'error', id: 80, code: 'bad-message', message: 'bad anode protocol message: unknown message type "launch"' },
    ]);
    // No plain-text notice reached the protocol client.
    expect(p.received.every((l) => l.startsWith('{'))).toBe(true);
    p.connection.close();
    await p.session.done;
    // The entry in flight was interrupted as the client left (or the link went first).
    expect(await hanging.catch((err: unknown) => err)).toSatisfy((r) => r instanceof TargetClosedError || (r as EvalOutcome).kind === 'interrupted');
  });

  it('an entry discarded as too long resolves as an error in the client, which goes on', async () => {
    const p = await pair();
    expect(await p.remote.evaluate(`'${'y'.repeat(3000)}'`)).toEqual({ kind: 'error', text: expect.stringMatching(/^anode: line too long/) });
    expect(await p.remote.evaluate('2')).toEqual({ kind: 'value', text: '4' });
    p.connection.close();
    await p.session.done;
  });

  it('a client one minor version older (no capabilities listed) still works; the welcome lists what both have', async () => {
    const p = await pair({ minor: 0, capabilities: ['preview', 'scope', 'watch', 'ask', 'colors'] }, { preview: false });
    expect([...p.connection.capabilities].sort()).toEqual(['ask', 'colors', 'scope', 'watch']);
    // The server has no preview: the client does not even ask.
    expect(await p.remote.preview('1', 80)).toBeUndefined();
    expect(p.received.some((l) => l.includes('"preview"'))).toBe(false);
    expect(await p.remote.evaluate('5')).toEqual({ kind: 'value', text: '10' });
    p.connection.close();
    await p.session.done;
  });

  it('a message type of a newer minor version is skipped by the client', async () => {
    const [clientSide, serverSide] = duplexPair();
    serverSide.write('banner\n');
    serverSide.on('data', (d: Buffer) => {
      if (d.toString().startsWith('anode-protocol ')) {
        serverSide.write('anode-protocol {"type":"welcome","version":1,"minor":7,"banner":"","prompt":"> ","capabilities":["teleport"],"extra":1}\n');
      } else if (d.toString().includes('"eval"')) {
        serverSide.write('{"type":"teleport","id":1}\n{"type":"result","id":1,"kind":"value","text":"ok","extra":true}\n');
      }
    });
    const connection = await openConsole(clientSide, 'memory');
    expect([...connection.capabilities]).toEqual(['teleport']);
    const notices: string[] = [];
    connection.onNotice((t) => notices.push(t));
    const remote = new RemoteLineEvaluator(connection);
    expect(await remote.evaluate('x')).toEqual({ kind: 'value', text: 'ok' });
    expect(notices).toEqual([]);
  });

  it('refuses only another major version, on either side', async () => {
    await expect(pair({ version: 2 })).rejects.toThrow(/refused this client: this console server speaks anode protocol version 1, the client version 2/);
    const [clientSide, serverSide] = duplexPair();
    serverSide.write('banner\n');
    serverSide.once('data', () => serverSide.write('anode-protocol {"type":"welcome","version":2,"banner":"","prompt":"> "}\n'));
    await expect(openConsole(clientSide, 'memory')).rejects.toThrow(/speaks anode protocol version 2, this anode version 1/);
  });

  it('a program that goes away ends the console with a bye saying why', async () => {
    const p = await pair();
    const entry = p.remote.evaluate('gone');
    await p.session.done;
    p.serverSide.end(); // what the listener does once the session is over
    await expect(entry).rejects.toThrow(TargetClosedError);
    expect(await p.connection.closed).toBe('the program exited (code 0)');
  });
});
