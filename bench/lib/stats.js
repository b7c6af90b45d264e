// Statistics and verdicts for the benchmark: medians, percentiles, ratios against a baseline measured in
// the same run, and whether a goal is met. Pure functions (test/unit/bench-stats.test.ts covers them).

/** Median of a list of numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0 < p <= 100) by the nearest-rank method; NaN when empty. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

/** 99th percentile. */
export function p99(xs) {
  return percentile(xs, 99);
}

/** How many samples are strictly above `limit` (stalls). */
export function countOver(xs, limit) {
  let n = 0;
  for (const x of xs) if (x > limit) n += 1;
  return n;
}

/** value / baseline, or null when there is no usable (positive) baseline. */
export function ratio(value, baseline) {
  if (value === null || value === undefined || baseline === null || baseline === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline <= 0) return null;
  return value / baseline;
}

/**
 * Whether a goal is met. `goalOn` says which number the goal bounds: 'ratio' (value / baseline) or
 * 'value' (an absolute bound, e.g. p99 < 1 ms). Lower is better unless `higherIsBetter`. null: no goal,
 * or nothing to judge.
 */
export function meetsGoal({ value, ratio: r, goal, goalOn = 'ratio', higherIsBetter = false }) {
  if (goal === null || goal === undefined) return null;
  const x = goalOn === 'ratio' ? r : value;
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return higherIsBetter ? x >= goal : x <= goal;
}

/** Rounds for the report: 3 significant digits, integers kept whole. */
export function round(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return Math.round(x);
  return Number(x.toPrecision(3));
}

/**
 * One results.json row: {metric, unit, value, baseline, ratio, goal, pass} plus `goal_on`,
 * `higher_is_better` when it applies, and an optional note.
 * @param {{ metric: string, unit: string | null, value: number | null, baseline?: number | null, goal?: number | null,
 *   goalOn?: 'value' | 'ratio', higherIsBetter?: boolean, note?: string }} row
 * @returns {Record<string, any>}
 */
export function result({ metric, unit, value, baseline = null, goal = null, goalOn, higherIsBetter = false, note }) {
  const on = goalOn ?? (baseline === null ? 'value' : 'ratio');
  const r = ratio(value, baseline);
  /** @type {Record<string, any>} */
  const row = {
    metric,
    unit,
    value: round(value),
    baseline: round(baseline),
    ratio: round(r),
    goal,
    goal_on: goal === null ? null : on,
    pass: meetsGoal({ value, ratio: r, goal, goalOn: on, higherIsBetter }),
  };
  if (higherIsBetter) row.higher_is_better = true;
  if (note) row.note = note;
  return row;
}

/** A row for a metric that could not be measured in this run, and why. */
export function skipped(metric, reason) {
  return { metric, unit: null, value: null, baseline: null, ratio: null, goal: null, pass: null, skipped: reason };
}

/** Median, p99, max and count of a list of durations. */
export function summarize(xs) {
  return { n: xs.length, median: median(xs), p99: p99(xs), max: xs.length ? Math.max(...xs) : NaN };
}
