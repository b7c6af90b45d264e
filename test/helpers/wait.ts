// Waiting on output or events, never on fixed sleeps.

/**
 * The one polling helper: resolves with `check()`'s first truthy value (a check may be async); rejects after
 * `timeoutMs` with `describe()`. For output and events, waitForText waits on the events themselves.
 */
export async function waitUntil<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  describe: () => string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
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

/** Where a waitFor reads: the text so far, and the emitter that says when it grew or ended. */
export interface TextSource {
  text(): string;
  emitter: { on(event: string, fn: () => void): unknown; off(event: string, fn: () => void): unknown };
  /** The emitter's event for new text, and the one for the end (if any). */
  dataEvent: string;
  endEvent?: string;
  /** What to say when the source ends or time runs out. */
  describe(): string;
}

/** Resolves with the match once `pattern` appears in `source.text()` after `from`; event driven, no polling. */
export function waitForText(source: TextSource, pattern: string | RegExp, from = 0, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = matches(source.text().slice(from), pattern);
      if (!m) return false;
      cleanup();
      resolve(m);
      return true;
    };
    const onEnd = (): void => {
      if (check()) return;
      cleanup();
      reject(new Error(`ended before ${String(pattern)} appeared\n${source.describe()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${String(pattern)}\n${source.describe()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      source.emitter.off(source.dataEvent, check);
      if (source.endEvent) source.emitter.off(source.endEvent, onEnd);
    };
    if (check()) return;
    source.emitter.on(source.dataEvent, check);
    if (source.endEvent) source.emitter.on(source.endEvent, onEnd);
  });
}
