// Waiting on output or events, never on fixed sleeps.

/** Resolves when `check()` returns a truthy value; rejects after `timeoutMs` with `describe()`. */
export async function waitUntil<T>(
  check: () => T | undefined | false | null,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Tests `pattern` against `text` (a string pattern means "contains"). */
export function matches(text: string, pattern: string | RegExp): RegExpMatchArray | null {
  if (typeof pattern === 'string') {
    const at = text.indexOf(pattern);
    return at < 0 ? null : Object.assign([pattern], { index: at, input: text }) as RegExpMatchArray;
  }
  return pattern.exec(text);
}
