// Ctrl-C on an entry whose own function spins as a callback of the program's event loop. Node runs timers
// and immediates from a JavaScript loop that pops the callback's async context after it; terminating the
// callback skipped that pop and Node ended the program ("async hook stack has become corrupted", exit 1) on
// every line from 20 to 26. anode leaves such a callback running and says why; the same code spinning in
// the entry itself, after an await, or in an I/O callback (the positive controls) is stopped, and the
// program answers afterwards.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { NODE_LINES, nodeBinary } from '../helpers/node-versions.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';

const IDLE = path.join(TEST_FIXTURES, 'idle.js');
const LEFT = "Interrupted: stopped waiting; the entry's code is running as a timer callback, and stopping a timer callback would crash Node, so it was left running.";
const STOPPED = 'Interrupted: the evaluation was stopped; the program keeps running.';
const SPIN = "console.log('spinning'); while (true) {}";

/** Runs `code` in a console into an idle program on `bin`, presses Ctrl-C once it spins, waits for `said`. */
async function interruptSpinning(bin: string, code: string, said: string): Promise<{ a: AnodeProcess; pid: number }> {
  const a = startAnode(['run', '--node', bin, IDLE]);
  await a.waitForPrompt();
  const pid = await a.programPid();
  a.send(code);
  await a.waitFor('spinning', { stream: 'stdout' });
  const from = a.stderr.length;
  a.kill('SIGINT');
  await a.waitFor(said, { from });
  await a.waitForPrompt();
  return { a, pid };
}

describe.each(NODE_LINES)('Node $line', (entry) => {
  it.for([
    ['a timer', `await new Promise(() => setTimeout(() => { ${SPIN} }, 5))`],
    ['an interval', `await new Promise(() => setInterval(() => { ${SPIN} }, 5))`],
    ['an immediate', `await new Promise(() => setImmediate(() => { ${SPIN} }))`],
  ] as const)('an entry spinning in %s: left running, the program alive', { timeout: 60_000 }, async ([, code], ctx) => {
    const { a, pid } = await interruptSpinning(nodeBinary(ctx, entry), code, LEFT);
    // The program lives on (still spinning in its timer), and nothing Node printed as it died.
    expect(isAlive(pid)).toBe(true);
    expect(a.stderr).not.toMatch(/async hook stack|the program exited/);
    a.end();
    await a.exited;
    expect(a.stderr).not.toMatch(/async hook stack/);
  });

  it.for([
    ['the entry itself', SPIN],
    ['the entry after an await of a timer', `await new Promise((r) => setTimeout(r, 5)); ${SPIN}`],
    ['an I/O callback', `await new Promise(() => require('fs').stat('.', () => { ${SPIN} }))`],
    ['a nextTick callback', `process.nextTick(() => { ${SPIN} }); await new Promise(() => {})`],
  ] as const)('the positive control, spinning in %s: stopped, and the program answers', { timeout: 60_000 }, async ([, code], ctx) => {
    const { a, pid } = await interruptSpinning(nodeBinary(ctx, entry), code, STOPPED);
    expect(await a.evaluate('6 * 7')).toBe('42');
    expect(isAlive(pid)).toBe(true);
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(a.stderr).not.toMatch(/async hook stack/);
  });
});
