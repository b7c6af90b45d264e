// The eager preview in a real terminal: the result of the line being typed appears dimmed under it (the
// cursor going back where it was), computed without side effects; never for `;` or unfinished lines;
// off with --no-preview.
import { describe, expect, it } from 'vitest';
import { KEY, startAnodePty, type PtyAnode } from '../helpers/pty.js';
import { waitUntil } from '../helpers/wait.js';

const DIM = '\x1b[90m';
const NO_PREVIEW_WINDOW_MS = 1000;

/** Waits until the terminal's raw bytes (escapes included) after `from` contain `needle`. */
async function waitRaw(a: PtyAnode, needle: string, from: number, timeoutMs = 15_000): Promise<void> {
  await waitUntil(() => a.raw().slice(from).includes(needle), () => `${JSON.stringify(needle)}\n${JSON.stringify(a.raw().slice(from))}`, timeoutMs, 20);
}

async function terminal(...flags: string[]) {
  const a = startAnodePty(['run', ...flags]);
  await a.waitForPrompt();
  return a;
}

describe('preview', () => {
  it('shows `1 + 1` → dimmed 2 under the line, cursor back on the line, and follows edits', async () => {
    const a = await terminal();
    let from = a.raw().length;
    a.write('1 + 1');
    // Dimmed 2 on the next row, then the cursor returns to column 8 (after "> 1 + 1") one row up.
    await waitRaw(a, `1 + 1\r\n${DIM}2\x1b[39m\x1b[8G\x1b[1A`, from);
    from = a.raw().length;
    a.write(' + 1');
    // Before the key, the preview row is erased (down, clear line, up); then the new one appears.
    await waitRaw(a, `${DIM}3\x1b[39m\x1b[12G\x1b[1A`, from);
    expect(a.raw().slice(from)).toMatch(/^\x1b\[1B\x1b\[2K\x1b\[1A/);
    const textFrom = a.text().length;
    a.write(KEY.enter);
    await a.waitFor(/\n3\n> $/, { from: textFrom });
  });

  it('never runs a getter with a side effect', async () => {
    const a = await terminal();
    let from = a.text().length;
    a.write(`globalThis.hits = 0; globalThis.trap = { get bomb() { return ++globalThis.hits; } }${KEY.enter}`);
    await a.waitForPrompt(from);
    from = a.text().length;
    // The object previews without its getter being read...
    a.write('trap');
    await a.waitFor(/trap\n\{ bomb: \[Getter\] \}/, { from });
    // ...and reading the getter (an effect) is not previewed at all.
    const rawFrom = a.raw().length;
    a.write('.bomb');
    await expect(waitRaw(a, `\r\n${DIM}`, rawFrom, NO_PREVIEW_WINDOW_MS)).rejects.toThrow(/timed out/);
    a.write(`\x15hits${KEY.enter}`);
    await a.waitFor(/hits\n0\n> $/, { from });
    // The counter does count when the user really runs the getter.
    from = a.text().length;
    a.write(`trap.bomb${KEY.enter}`);
    await a.waitFor(/\n1\n> $/, { from });
  });

  it('is not shown for a line ending with `;`, an unfinished line, or with --no-preview', async () => {
    const a = await terminal();
    let from = a.text().length;
    a.write('6 * 7;');
    await expect(a.waitFor(/;\n42/, { from, timeoutMs: NO_PREVIEW_WINDOW_MS })).rejects.toThrow(/timed out/);
    a.write(`\x15[6 * 7,`);
    await expect(a.waitFor(/,\n/, { from, timeoutMs: NO_PREVIEW_WINDOW_MS })).rejects.toThrow(/timed out/);
    const b = await terminal('--no-preview');
    from = b.text().length;
    b.write('6 * 7');
    await expect(b.waitFor(/7\n42/, { from, timeoutMs: NO_PREVIEW_WINDOW_MS })).rejects.toThrow(/timed out/);
    b.write(KEY.enter);
    await b.waitFor(/7\n42\n> $/, { from });
  });

  it('is not shown for a function or class declaration (its value is undefined, as in Node), but is for the same function as an expression', async () => {
    const a = await terminal();
    let from = a.text().length;
    a.write('(function twice(n) { return n * 2 })');
    await a.waitFor(/\)\n\[Function: twice\]/, { from });
    for (const declaration of ['function twice(n) { return n * 2 }', 'async function later() {}', 'class Point {}']) {
      from = a.text().length;
      a.write(`\x15${declaration}`);
      await expect(a.waitFor(/\}\n\[(Async)?(Function|class)/, { from, timeoutMs: NO_PREVIEW_WINDOW_MS }), declaration).rejects.toThrow(/timed out/);
    }
  });
});
