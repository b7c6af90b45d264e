// `.scope` and the `scope` binding: the module-level variables of an unmodified CommonJS or ES module
// program, read live without pausing it; variables V8 dropped are reported as optimized away.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';

async function consoleInto(fixture: string) {
  const a = startAnode(['run', path.join(TEST_FIXTURES, fixture)]);
  await a.waitForPrompt();
  return a;
}

describe.each(['scope-app.cjs', 'scope-app.mjs'])('.scope of %s', (fixture) => {
  it('lists module variables, says which were optimized away, and reads them as scope.NAME', async () => {
    const a = await consoleInto(fixture);
    const listing = await a.evaluate('.scope');
    expect(listing).toContain(`${fixture} (${fixture.endsWith('.mjs') ? 'ES module' : 'CommonJS'})`);
    expect(listing).toMatch(/^ {2}visits: Map\(0\) \{\}$/m);
    expect(listing).toMatch(/^ {2}ticks: \d+$/m);
    expect(listing).toMatch(/^ {2}neverCaptured: <optimized away: no function of the module uses it/m);
    // A primitive is re-read for each entry that mentions `scope`: the program's timer keeps counting.
    const first = Number(await a.evaluate('scope.ticks'));
    let later = first;
    for (let i = 0; i < 50 && later <= first; i++) later = Number(await a.evaluate('scope.ticks'));
    expect(later).toBeGreaterThan(first);
    expect(await a.evaluate('scope.neverCaptured')).toMatch(/ReferenceError: neverCaptured was optimized away/);
    expect(await a.evaluate("typeof scope.visits.set")).toBe("'function'");
    // The Debugger domain was left disabled: a `debugger` statement does not pause the program.
    expect(await a.evaluate("(() => { debugger; return 'not paused'; })()")).toBe("'not paused'");
    // Once the user declares `scope` themselves, it stops following the module.
    expect(await a.evaluate('let scope = 5')).toMatch(/^`scope` is now yours/);
    expect(await a.evaluate('scope + 1')).toBe('6');
    expect(await a.evaluate('.scope')).toMatch(/^ {2}ticks: \d+$/m);
  });

  it("sees the program's own Map change", async () => {
    const a = await consoleInto(fixture);
    expect(await a.evaluate('const kept = scope.visits; kept.size')).toBe('0');
    const pid = await a.programPid();
    process.kill(pid, 'SIGUSR2');
    let size = '0';
    for (let i = 0; i < 100 && size === '0'; i++) size = await a.evaluate('kept.size');
    expect(size).toBe('1');
    expect(await a.evaluate('kept === scope.visits')).toBe('true');
    expect(await a.evaluate('[...scope.visits.keys()]')).toBe("[ 'visit1' ]");
  });
});

describe('.scope FILE', () => {
  it('reads another loaded module, resolved as the program resolves it', async () => {
    const a = await consoleInto('scope-app.cjs');
    const listing = await a.evaluate('.scope ./scope-lib.cjs');
    expect(listing).toContain(`${path.join(TEST_FIXTURES, 'scope-lib.cjs')} (CommonJS)`);
    expect(listing).toMatch(/^ {2}secret: \{ level: 7 \}$/m);
    expect(await a.evaluate('.scope ./no-such-module.cjs')).toMatch(/^anode: \.scope: cannot find/);
    // Present on disk but never loaded by the program: said so, not loaded by the console either.
    expect(await a.evaluate('.scope ./bytes.js')).toMatch(/is not loaded by the program$/);
  });

  it('explains that a console without a program file has no entry module', async () => {
    const a = startAnode(['run']);
    await a.waitForPrompt();
    expect(await a.evaluate('.scope')).toMatch(/no entry module/);
    expect(await a.evaluate('scope')).toMatch(/anode: scope: .*no entry module[\s\S]*undefined/);
  });
});
