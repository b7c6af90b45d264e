import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isTargetClosed } from '../../src/errors.js';
import type { Channel } from '../../src/session/channel.js';
import { WorkerLink, threadIdOf } from '../../src/session/worker-channel.js';
import { formatWorkers } from '../../src/session/worker-table.js';

/** A parent connection that records what is sent and lets the test emit the inspector's events. */
function fakeParent() {
  const events = new EventEmitter();
  const sent: Array<{ method: string; params?: object }> = [];
  let close!: (reason: string) => void;
  const channel = {
    sendRaw: async (method: string, params?: object) => {
      sent.push({ method, ...(params ? { params } : {}) });
      return {};
    },
    onRaw: (event: string, listener: (p: unknown) => void) => {
      events.on(event, listener);
      return () => events.off(event, listener);
    },
    closed: new Promise<string>((resolve) => (close = resolve)),
  } as unknown as Channel;
  return { channel, sent, emit: (event: string, params: unknown) => events.emit(event, params), close: (r: string) => close(r) };
}

const attach = (sessionId: string, title: string) => ({ sessionId, workerInfo: { workerId: sessionId, title, url: 'file:///app/w.js', type: 'worker' } });

describe('WorkerLink', () => {
  it('numbers workers by threadId, carries each one its own messages, and routes replies and events', async () => {
    const parent = fakeParent();
    const link = await WorkerLink.open(parent.channel);
    expect(parent.sent[0]).toEqual({ method: 'NodeWorker.enable', params: { waitForDebuggerOnStart: false } });
    parent.emit('NodeWorker.attachedToWorker', attach('s1', '[worker 7] WorkerThread'));
    expect(link.workers().map((w) => w.threadId)).toEqual([7]);
    const ch = link.channel(7)!;
    const reply = ch.sendRaw('Runtime.evaluate', { expression: '1' });
    const carried = parent.sent[1]!;
    expect(carried.method).toBe('NodeWorker.sendMessageToWorker');
    const { sessionId, message } = carried.params as { sessionId: string; message: string };
    expect(sessionId).toBe('s1');
    const { id } = JSON.parse(message) as { id: number };
    const heard: unknown[] = [];
    ch.onRaw('Debugger.paused', (p) => heard.push(p));
    parent.emit('NodeWorker.receivedMessageFromWorker', { sessionId: 's1', message: JSON.stringify({ method: 'Debugger.paused', params: { x: 1 } }) });
    parent.emit('NodeWorker.receivedMessageFromWorker', { sessionId: 's1', message: JSON.stringify({ id, result: { ok: true } }) });
    expect(await reply).toEqual({ ok: true });
    expect(heard).toEqual([{ x: 1 }]);
  });

  it('a worker that detaches fails its calls in flight and later ones as target-closed, and leaves the list', async () => {
    const parent = fakeParent();
    const link = await WorkerLink.open(parent.channel);
    parent.emit('NodeWorker.attachedToWorker', attach('s2', '[worker 3]'));
    const ch = link.channel(3)!;
    const pending = ch.sendRaw('Runtime.evaluate', { expression: 'await never' });
    parent.emit('NodeWorker.detachedFromWorker', { sessionId: 's2' });
    await expect(pending).rejects.toSatisfy(isTargetClosed);
    await expect(ch.sendRaw('Runtime.evaluate')).rejects.toSatisfy(isTargetClosed);
    expect(await ch.closed).toBe('worker 3 exited');
    expect(link.workers()).toEqual([]);
  });

  it('reads the thread id from the title, and formats the list with the current worker marked', () => {
    expect(threadIdOf('[worker 12] name')).toBe(12);
    expect(threadIdOf('something else')).toBeUndefined();
    const text = formatWorkers(
      [
        { threadId: 1, file: '/elsewhere/a.js', title: '[worker 1]', since: 0, data: "{ n: 1 }", answered: true },
        { threadId: 2, file: undefined, title: '[worker 2]', since: undefined, data: undefined, answered: false },
      ],
      2,
      61_000,
    );
    expect(text).toMatch(/^ {2}ID/);
    expect(text).toContain('/elsewhere/a.js');
    expect(text).toMatch(/\(1m 1s\)\s+\{ n: 1 \}/);
    expect(text).toMatch(/^\* 2\s+\(code string\)\s+busy \(not answering\)$/m);
  });
});
