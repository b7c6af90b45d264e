// Calls that must return: each is raced against a limit, and one that does not return in time fails its
// section with the call's name (a hang in anode's own path is a reliability defect, even in the bench).
// The run then ends non-zero (see run.js), so CI fails loudly instead of printing a shorter table.

export class HangError extends Error {}

/** `promise`, or a HangError naming `label` once `ms` pass without an answer. */
export function within(label, promise, ms = 20_000) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`HUNG: ${label} did not return within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
