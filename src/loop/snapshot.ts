// `.loop`: what the program's event loop holds right now, read over the session's event connection. The
// target side (target-collect.ts) is evaluated with a time budget; the callbacks of timers and immediates
// are located through the inspector afterwards (locations.ts); delay is sampled over a short window.
import type { Protocol } from 'devtools-protocol';
import { AGENT_REF } from '../session/agent.js';
import type { Channel } from '../session/channel.js';
import type { EvalSession } from '../session/session.js';
import { ignored } from '../log/debug.js';
import { sampleDelay, type DelaySample } from './delay.js';
import { functionLocations, whereText } from './locations.js';
import { collectLoop, loopPrototypes, type RawLoop } from './target-collect.js';
import { safeReaders } from './target-read.js';

export interface LoopOptions {
  /** Every row, not a bounded summary. */
  all?: boolean;
  /**
   * Also search the heap (a full GC in the program) for what does not keep the loop alive: unref'd servers
   * and sockets (a keep-alive agent's idle ones), worker threads.
   */
  deep?: boolean;
  /** Milliseconds of delay/utilization sampling (0: none). */
  sampleMs?: number;
  signal?: AbortSignal;
}

/** The whole report: what the target collected, with callbacks located, delay and heap. */
export interface LoopReport extends Omit<RawLoop, 'timers' | 'immediates'> {
  timers: (RawLoop['timers'][number] & { where: string })[];
  immediates: (RawLoop['immediates'][number] & { where: string })[];
  delay: DelaySample | null;
  heap: { used: number; total: number } | null;
  /** Rows per section when bounded (null: all). */
  limit: number | null;
  /** Whether the heap was searched too (see LoopOptions.deep). */
  deep: boolean;
  tookMs: number;
}

const GROUP = 'anode-loop';
/** Detail rows per section by default: past it, a summary. */
export const DEFAULT_ROWS = 20;
const BUDGET_MS = 2000;
export const DEFAULT_SAMPLE_MS = 500;

/** Takes one report. */
export async function loopReport(session: EvalSession, options: LoopOptions = {}): Promise<LoopReport> {
  const started = Date.now();
  const ch = session.eventChannel;
  const max = options.all ? 1e9 : DEFAULT_ROWS;
  let raw: RawLoop;
  let where: string[] = [];
  try {
    const lists = await timerLists(ch);
    const protos = await ch.send('Runtime.evaluate', {
      expression: `(${loopPrototypes.toString()})(${AGENT_REF}, ${lists !== undefined}, ${options.deep === true})`,
      objectGroup: GROUP,
      timeout: BUDGET_MS,
    });
    if (protos.exceptionDetails || !protos.result.objectId) throw new Error(protos.exceptionDetails?.exception?.description ?? 'cannot reach the timers');
    const list = await ch.send('Runtime.getProperties', { objectId: protos.result.objectId, ownProperties: true });
    const proto = (i: number): string | undefined => list.result.find((p) => p.name === String(i))?.value?.objectId;
    const instances = async (objectId: string | undefined): Promise<Protocol.Runtime.CallArgument> => {
      if (!objectId) return { value: [] };
      const found = await ch.send('Runtime.queryObjects', { prototypeObjectId: objectId, objectGroup: GROUP });
      return found.objects.objectId ? { objectId: found.objects.objectId } : { value: [] };
    };
    const [timers, immediates, emitters] = await Promise.all([0, 1, 2].map((i) => instances(proto(i))));
    const collected = await ch.send('Runtime.callFunctionOn', {
      objectId: protos.result.objectId,
      functionDeclaration: `function (lists, queue, timers, immediates, emitters, max, budget) {
        const agent = ${AGENT_REF};
        return (${collectLoop.toString()})(agent, (${safeReaders.toString()})(agent), lists, queue, timers, immediates, emitters, max, budget);
      }`,
      arguments: [lists?.map ?? { value: null }, lists?.immediates ?? { value: null }, timers!, immediates!, emitters!, { value: max }, { value: BUDGET_MS }],
      objectGroup: GROUP,
    });
    if (collected.exceptionDetails || !collected.result.objectId) {
      throw new Error(collected.exceptionDetails?.exception?.description ?? collected.exceptionDetails?.text ?? 'no answer');
    }
    const parts = await ch.send('Runtime.getProperties', { objectId: collected.result.objectId, ownProperties: true });
    raw = JSON.parse(String(parts.result.find((p) => p.name === 'data')?.value?.value)) as RawLoop;
    const fnsId = parts.result.find((p) => p.name === 'fns')?.value?.objectId;
    if (fnsId) where = (await functionLocations(session, fnsId)).map((l) => whereText(l, raw.cwd));
  } finally {
    await ch.send('Runtime.releaseObjectGroup', { objectGroup: GROUP }).catch((err: unknown) => ignored('release the .loop objects', err));
  }
  const usage = await ch.send('Runtime.getHeapUsage').catch((err: unknown) => void ignored('Runtime.getHeapUsage', err));
  const delay = options.sampleMs ? await sampleDelay(ch, options.sampleMs, options.signal) : null;
  return {
    ...raw,
    timers: mergeTimers(raw.timers.map((t) => ({ ...t, where: where[t.fn] ?? '' }))),
    immediates: raw.immediates.map((i) => ({ ...i, where: where[i.fn] ?? '' })),
    delay,
    heap: usage ? { used: usage.usedSize, total: usage.totalSize } : null,
    limit: options.all ? null : DEFAULT_ROWS,
    deep: options.deep === true,
    tookMs: Date.now() - started,
  };
}

/** Groups that turned out to be the same callback source (closures made by one line) become one. */
function mergeTimers(timers: LoopReport['timers']): LoopReport['timers'] {
  const merged = new Map<string, LoopReport['timers'][number]>();
  for (const t of timers) {
    const key = `${t.kind}:${t.ms}:${t.name}:${t.where}`;
    const m = merged.get(key);
    if (!m) merged.set(key, { ...t });
    else {
      m.count += t.count;
      m.refed += t.refed;
      m.dueInMs = Math.min(m.dueInMs, t.dueInMs);
    }
  }
  return [...merged.values()].sort((a, b) => b.count - a.count);
}

/**
 * The timers module's own lists (timerListMap: one linked list per duration; immediateQueue), read from
 * the [[Scopes]] of its setTimeout through the inspector: no heap search, no GC. Undefined when this
 * Node keeps them elsewhere (then the heap is searched).
 */
async function timerLists(ch: Channel): Promise<{ map: Protocol.Runtime.CallArgument; immediates: Protocol.Runtime.CallArgument } | undefined> {
  try {
    const fn = await ch.send('Runtime.evaluate', { expression: `${AGENT_REF}.require('timers').setTimeout`, objectGroup: GROUP });
    if (!fn.result.objectId) return undefined;
    const own = await ch.send('Runtime.getProperties', { objectId: fn.result.objectId, ownProperties: true });
    const scopesId = own.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (!scopesId) return undefined;
    const scopes = await ch.send('Runtime.getProperties', { objectId: scopesId, ownProperties: true });
    for (const scope of scopes.result) {
      if (!scope.value?.objectId || !scope.value.description?.startsWith('Closure')) continue;
      const vars = (await ch.send('Runtime.getProperties', { objectId: scope.value.objectId, ownProperties: true })).result;
      const map = vars.find((v) => v.name === 'timerListMap')?.value?.objectId;
      const queue = vars.find((v) => v.name === 'immediateQueue')?.value?.objectId;
      if (map && queue) return { map: { objectId: map }, immediates: { objectId: queue } };
    }
  } catch (err) {
    ignored('read the timer lists', err);
  }
  return undefined;
}
