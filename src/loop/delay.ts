// Event-loop delay and utilization over a short window, measured in the target with perf_hooks only when
// asked: a histogram (monitorEventLoopDelay) is enabled for the window and disabled right after, so it
// costs nothing the rest of the time. A guard timer (unref'd) disables it should anode never come back.
import { randomUUID } from 'node:crypto';
import { AGENT_REF } from '../session/agent.js';
import type { Channel } from '../session/channel.js';
import { evalValue } from '../session/remote-object.js';

/** What the window measured (milliseconds; utilization 0..1). */
export interface DelaySample {
  windowMs: number;
  utilization: number;
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

const RESOLUTION_MS = 10;

/** Samples for `windowMs` (an abort ends the window early and still reads what was measured). */
export async function sampleDelay(ch: Channel, windowMs: number, signal?: AbortSignal): Promise<DelaySample> {
  const id = JSON.stringify(randomUUID());
  await evalValue(
    ch,
    `(() => {
      const a = ${AGENT_REF};
      const ph = a.require('perf_hooks');
      const h = ph.monitorEventLoopDelay({ resolution: ${RESOLUTION_MS} });
      h.enable();
      const samples = (a.loopSamples ??= new Map());
      const guard = setTimeout(function anodeLoopSampleGuard() { h.disable(); samples.delete(${id}); }, ${windowMs + 10_000});
      guard.unref();
      samples.set(${id}, { h, elu: ph.performance.eventLoopUtilization(), guard, started: ph.performance.now() });
    })()`,
    2000,
  );
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, windowMs);
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted) done();
  });
  return evalValue<DelaySample>(
    ch,
    `(() => {
      const a = ${AGENT_REF};
      const s = a.loopSamples?.get(${id});
      if (!s) throw new Error('the delay sample was lost');
      a.loopSamples.delete(${id});
      clearTimeout(s.guard);
      s.h.disable();
      const ph = a.require('perf_hooks');
      const u = ph.performance.eventLoopUtilization(s.elu);
      const ms = (ns) => Number.isFinite(ns) ? ns / 1e6 : 0;
      return { windowMs: ph.performance.now() - s.started, utilization: u.utilization, p50: ms(s.h.percentile(50)),
        p99: ms(s.h.percentile(99)), max: ms(s.h.max), samples: s.h.count ?? 0 };
    })()`,
    2000,
  );
}
