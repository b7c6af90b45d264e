// The program's own code never runs by surprise, on every Node line: typing (the eager preview) and Tab
// (completion) run no Proxy trap, no getter and no [util.inspect.custom], and are bounded in time: a Proxy
// whose traps loop forever and an object with a million keys leave the program serving. Ctrl-C afterwards
// stops an entry as usual (the program is not "blocked outside JavaScript"). The positive controls show
// that each of those touches is counted when the user really makes it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_LINES, nodeBinary } from '../helpers/node-versions.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty, type PtyAnode } from '../helpers/pty.js';

const traps = path.join(TEST_FIXTURES, 'traps.cjs');
const CLEAR_LINE = '\x15';

/** Types `keys` (no Enter), waits for `shown` after them, then clears the line. */
async function typed(a: PtyAnode, keys: string, shown: RegExp): Promise<void> {
  const from = a.text().length;
  a.write(keys);
  await a.waitFor(shown, { from });
  a.write(CLEAR_LINE);
}

/** Enters `line` and returns what the console printed for it. */
async function entered(a: PtyAnode, line: string): Promise<string> {
  const from = a.text().length;
  a.write(`${line}${KEY.enter}`);
  const echo = await a.waitFor(`${line}\n`, { from });
  const after = from + echo.index! + echo[0].length;
  await a.waitForPrompt(after);
  return a.text().slice(after);
}

describe.each(NODE_LINES)('Node $line', (entry) => {
  it('preview and Tab run no trap, getter or custom inspector, and never stall the program', { timeout: 180_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    const a = startAnodePty(['run', '--node', bin, traps]);
    // The program's ready line and the first prompt, in either order.
    await a.waitFor('traps ready', { timeoutMs: 60_000 });
    await a.waitFor(/Ctrl\+C interrupts[^\n]*\n> /);
    // Previews that show the program's values without touching them (each waited for: it did run).
    await typed(a, 'wrapped', /\[ \[Proxy\], 42 \]/);
    await typed(a, 'child', /\{ own1: 1 \}/);
    await typed(a, 'withGetter', /\{ g: \[Getter\] \}/);
    await typed(a, 'custom', /\{ v: 1 \}/);
    // Tab along a chain that ends in a Proxy: the object's own names, nothing from the Proxy.
    let from = a.text().length;
    a.write(`child.ow${KEY.tab}`);
    await a.waitFor(/child\.own1/, { from });
    a.write(CLEAR_LINE);
    // The Proxies themselves: typed, and Tab twice (a listing), with nothing shown and nothing run.
    for (const name of ['counted', 'looping']) {
      from = a.text().length;
      a.write(`${name}.${KEY.tab}${KEY.tab}`);
      await a.waitFor(`${name}.`, { from });
      a.write(CLEAR_LINE);
    }
    // A million keys: previewed within its bound (or not at all), Tab likewise; the program goes on.
    a.write('big');
    a.write(`${CLEAR_LINE}big.k99999${KEY.tab}`);
    a.write(CLEAR_LINE);
    expect(await entered(a, 'JSON.stringify(touches)')).toContain('{"trap":0,"getter":0,"custom":0}');
    expect(await entered(a, 'const t0 = ticks; await new Promise((r) => setTimeout(r, 50)); ticks > t0')).toMatch(/^true\n/);
    // Ctrl-C stops an entry as usual: the program was never left frozen.
    from = a.text().length;
    a.write(`while (true) {}${KEY.enter}`);
    await a.waitFor('while (true) {}\n', { from });
    a.write(KEY.ctrlC);
    await a.waitFor('Interrupted: the evaluation was stopped', { from });
    expect(a.text().slice(from)).not.toContain('blocked outside JavaScript');
    await a.waitForPrompt(from);
    // Positive controls: each touch counts when the user makes it.
    expect(await entered(a, "Object.getPrototypeOf(counted), withGetter.g, require('node:util').inspect(custom), JSON.stringify(touches)")).toMatch(
      /\{"trap":[1-9]\d*,"getter":1,"custom":1\}/,
    );
    a.write(KEY.ctrlD);
    expect((await a.exited).exitCode).toBe(0);
  });
});
