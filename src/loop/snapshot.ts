// `.loop`: what the program's event loop holds right now, read over the session's event connection. The
// target side (target-collect.ts) is evaluated with a time budget; the callbacks of timers and immediates
// are located through the inspector afterwards (locations.ts); delay is sampled over a short window.
import { AGENT_REF } from '../session/agent.js';
import type { EvalSession } from '../session/session.js';
import { ignored } from '../log/debug.js';
import { sampleDelay, type DelaySample } from './delay.js';
import { functionLocations, whereText } from './locations.js';
import { collectLoop, loopPrototypes, type RawLoop } from './target-collect.js';

export interface LoopOptions {
  /** Every row, not a bounded summary. */
  all?: boolean;
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
    const protos = await ch.send('Runtime.evaluate', {
      expression: `(${loopPrototypes.toString()})(${AGENT_REF})`,
      objectGroup: GROUP,
      timeout: BUDGET_MS,
    });
    if (protos.exceptionDetails || !protos.result.objectId) throw new Error(protos.exceptionDetails?.exception?.description ?? 'cannot reach the timers');
    const list = await ch.send('Runtime.getProperties', { objectId: protos.result.objectId, ownProperties: true });
    const proto = (i: number): string | undefined => list.result.find((p) => p.name === String(i))?.value?.objectId;
    const instances = async (objectId: string | undefined): Promise<{ objectId: string } | { value: unknown[] }> => {
      if (!objectId) return { value: [] };
      const found = await ch.send('Runtime.queryObjects', { prototypeObjectId: objectId, objectGroup: GROUP });
      return found.objects.objectId ? { objectId: found.objects.objectId } : { value: [] };
    };
    const [timers, immediates, emitters] = await Promise.all([0, 1, 2].map((i) => instances(proto(i))));
    const collected = await ch.send('Runtime.callFunctionOn', {
      objectId: protos.result.objectId,
      functionDeclaration: `function (timers, immediates, emitters, max, budget) {
        return (${collectLoop.toString()})(${AGENT_REF}, timers, immediates, emitters, max, budget);
      }`,
      arguments: [timers!, immediates!, emitters!, { value: max }, { value: BUDGET_MS }],
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
