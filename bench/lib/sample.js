// Interleaved sampling: variants run in turn (A B C A B C ...), starting each round with the next variant,
// so a noisy neighbour on a shared machine hits every variant alike.

/** Milliseconds from a monotonic clock. */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Runs each variant `n` times, interleaved, after `warmup` untimed interleaved rounds.
 * `variants` maps a name to an async function doing one operation. Resolves to {name: [ms, ...]}.
 * `clock` is injectable (tests count calls without timing anything).
 * @param {Record<string, () => Promise<unknown>>} variants
 * @param {{ n: number, warmup?: number, clock?: () => number }} options
 * @returns {Promise<Record<string, number[]>>}
 */
export async function interleave(variants, { n, warmup = 0, clock = nowMs }) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < warmup + n; round += 1) {
    for (let j = 0; j < names.length; j += 1) {
      const name = names[(round + j) % names.length];
      const t0 = clock();
      await variants[name]();
      const dt = clock() - t0;
      if (round >= warmup) samples[name].push(dt);
    }
  }
  return samples;
}

/** Runs `fn` repeatedly until `ms` have passed or `max` calls were made; resolves to the durations. */
export async function sampleFor(fn, { ms, max = Infinity, clock = nowMs }) {
  const out = [];
  const end = clock() + ms;
  while (out.length < max && clock() < end) {
    const t0 = clock();
    await fn();
    out.push(clock() - t0);
  }
  return out;
}
