// The benchmark's statistics and verdicts (bench/lib): medians, percentiles, ratios, goals, interleaving.
// Nothing here is timed: durations come from an injected clock.
import { describe, expect, it } from 'vitest';
import { countOver, median, meetsGoal, p99, percentile, ratio, result, round, skipped, summarize } from '../../bench/lib/stats.js';
import { interleave, sampleFor } from '../../bench/lib/sample.js';
import { markdownTable, table } from '../../bench/lib/report.js';

describe('median', () => {
  it('takes the middle of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is NaN for no samples and does not reorder its input', () => {
    expect(median([])).toBeNaN();
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('percentile / p99', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  it('uses the nearest rank', () => {
    expect(p99(hundred)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 1)).toBe(1);
  });
  it('is the maximum for fewer than 100 samples', () => {
    expect(p99([1, 2, 3, 40])).toBe(40);
  });
  it('sees one slow sample in a thousand only above p99', () => {
    const xs = [...Array.from({ length: 999 }, () => 1), 500];
    expect(p99(xs)).toBe(1);
    expect(percentile(xs, 100)).toBe(500);
  });
  it('rejects percentiles outside (0, 100] and is NaN for no samples', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(p99([])).toBeNaN();
  });
});

describe('countOver', () => {
  it('counts samples strictly above the limit (stalls)', () => {
    expect(countOver([10, 30, 30.01, 45], 30)).toBe(2);
    expect(countOver([], 30)).toBe(0);
  });
});

describe('ratio', () => {
  it('divides value by baseline', () => {
    expect(ratio(220, 200)).toBeCloseTo(1.1);
  });
  it('is null without a usable baseline', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(900, -20)).toBeNull(); // e.g. heap growth of a baseline that shrank: no meaningful ratio
    expect(ratio(1, null)).toBeNull();
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(NaN, 1)).toBeNull();
  });
});

describe('meetsGoal', () => {
  it('passes a lower-is-better ratio at or under the goal', () => {
    expect(meetsGoal({ value: 220, ratio: 1.1, goal: 1.1 })).toBe(true);
    expect(meetsGoal({ value: 221, ratio: 1.105, goal: 1.1 })).toBe(false);
  });
  it('judges the value itself when the goal is absolute', () => {
    expect(meetsGoal({ value: 900, ratio: 3, goal: 1000, goalOn: 'value' })).toBe(true);
    expect(meetsGoal({ value: 1001, ratio: 0.5, goal: 1000, goalOn: 'value' })).toBe(false);
  });
  it('turns the comparison round when higher is better', () => {
    expect(meetsGoal({ value: 25_000, ratio: null, goal: 20_000, goalOn: 'value', higherIsBetter: true })).toBe(true);
    expect(meetsGoal({ value: 10, ratio: 0.96, goal: 0.97, higherIsBetter: true })).toBe(false);
  });
  it('has no verdict without a goal or without the number it bounds', () => {
    expect(meetsGoal({ value: 1, ratio: 1, goal: null })).toBeNull();
    expect(meetsGoal({ value: 1, ratio: null, goal: 1.1 })).toBeNull();
  });
  it('needs zero stalls when the goal is zero', () => {
    expect(meetsGoal({ value: 0, ratio: null, goal: 0, goalOn: 'value' })).toBe(true);
    expect(meetsGoal({ value: 1, ratio: null, goal: 0, goalOn: 'value' })).toBe(false);
  });
});

describe('result rows', () => {
  it('carries the issue fields, the ratio against the same-run baseline, and the verdict', () => {
    const row = result({ metric: 'eval-1+1-median', unit: 'µs', value: 210.123, baseline: 200, goal: 1.1 });
    expect(row).toEqual({
      metric: 'eval-1+1-median',
      unit: 'µs',
      value: 210,
      baseline: 200,
      ratio: 1.05,
      goal: 1.1,
      goal_on: 'ratio',
      pass: true,
    });
  });
  it('judges an absolute goal on the value when there is no baseline', () => {
    const row = result({ metric: 'memory-x', unit: 'MB', value: 70, goal: 60 });
    expect(row.goal_on).toBe('value');
    expect(row.pass).toBe(false);
  });
  it('says higher_is_better when it is', () => {
    const row = result({ metric: 'fanout-evals-per-s', unit: 'evals/s', value: 30_000, baseline: 25_000, goal: 20_000, goalOn: 'value', higherIsBetter: true });
    expect(row.higher_is_better).toBe(true);
    expect(row.pass).toBe(true);
    expect(row.ratio).toBe(1.2);
  });
  it('has no verdict for a reference row', () => {
    expect(result({ metric: 'eval-1+1-cri-median', unit: 'µs', value: 3, baseline: 2 }).pass).toBeNull();
  });
  it('marks what could not be measured, with the reason', () => {
    expect(skipped('attach-first-result-ms', 'anode attach is not available')).toMatchObject({
      metric: 'attach-first-result-ms',
      pass: null,
      skipped: 'anode attach is not available',
    });
  });
  it('rounds to three significant digits, keeping integers and large numbers whole', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(0.0012345)).toBe(0.00123);
    expect(round(12345.6)).toBe(12346);
    expect(round(null)).toBeNull();
  });
  it('summarizes durations', () => {
    expect(summarize([3, 1, 2])).toEqual({ n: 3, median: 2, p99: 3, max: 3 });
  });
});

describe('interleave', () => {
  it('alternates the variants (A B, B A, ...) and keeps only the timed rounds', async () => {
    const calls: string[] = [];
    let t = 0;
    const clock = (): number => t;
    const variant = (name: string, cost: number) => async (): Promise<void> => {
      calls.push(name);
      t += cost;
    };
    const s = await interleave({ a: variant('a', 2), b: variant('b', 5) }, { n: 3, warmup: 1, clock });
    expect(calls).toEqual(['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
    expect(s).toEqual({ a: [2, 2, 2], b: [5, 5, 5] });
  });
  it('runs every variant once per round with three variants', async () => {
    const calls: string[] = [];
    const v = (name: string) => async (): Promise<void> => void calls.push(name);
    await interleave({ a: v('a'), b: v('b'), c: v('c') }, { n: 2, clock: () => 0 });
    expect(calls).toEqual(['a', 'b', 'c', 'b', 'c', 'a']);
  });
});

describe('sampleFor', () => {
  it('stops at the call budget or the time budget, whichever comes first', async () => {
    let t = 0;
    const clock = (): number => t;
    expect(await sampleFor(async () => void (t += 1), { ms: 1000, max: 4, clock })).toEqual([1, 1, 1, 1]);
    t = 0;
    expect((await sampleFor(async () => void (t += 10), { ms: 35, clock })).length).toBe(4);
  });
});

describe('report tables', () => {
  const rows = [
    result({ metric: 'eval-1+1-median', unit: 'µs', value: 250, baseline: 200, goal: 1.1 }),
    skipped('attach-first-result-ms', 'anode attach is not available'),
  ];
  it('prints a verdict per row and the skip reason', () => {
    const text = table(rows);
    expect(text).toMatch(/eval-1\+1-median\s+250\s+µs\s+200\s+1\.25\s+<= 1\.1x\s+NO/);
    expect(text).toMatch(/attach-first-result-ms\s+skipped.*anode attach is not available/);
  });
  it('renders Markdown rows', () => {
    const md = markdownTable(rows);
    expect(md).toContain('| eval-1+1-median | 250 | µs | 200 | 1.25 | ≤ 1.1× | **no** |');
    expect(md).toContain('| attach-first-result-ms | skipped |');
  });
});
