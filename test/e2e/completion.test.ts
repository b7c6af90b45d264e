// Tab completion in a real terminal: globals, console lets, property chains, require(' — computed in the
// target without running getters or calls.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

async function console_(...program: string[]) {
  const a = startAnodePty(['run', ...(program.length > 0 ? program : [path.join(TEST_FIXTURES, 'controlled.js')])]);
  await a.waitForPrompt();
  const run = async (line: string, expected: string | RegExp): Promise<void> => {
    const from = a.text().length;
    a.write(`${line}${KEY.enter}`);
    await a.waitFor(expected, { from });
    await a.waitForPrompt(from);
  };
  return { a, run };
}

describe('Tab completion', () => {
  it('completes a global, a redeclared let and a property chain', async () => {
    const { a, run } = await console_();
    await run('let uniqueVariableName = 1', 'undefined');
    await run('let uniqueVariableName = { deeper: { leafValue: 1 } }', 'undefined');
    let from = a.text().length;
    a.write(`uniqueVar${KEY.tab}`);
    await a.waitFor('uniqueVariableName', { from });
    a.write(`.dee${KEY.tab}`);
    await a.waitFor('uniqueVariableName.deeper', { from });
    a.write(`.leaf${KEY.tab}`);
    await a.waitFor('uniqueVariableName.deeper.leafValue', { from });
    a.write(KEY.enter);
    await a.waitFor(/\n1\n/, { from });
    from = a.text().length;
    a.write(`process.memoryUs${KEY.tab}`);
    await a.waitFor('process.memoryUsage', { from });
  });

  it('completes a built-in module by name and its properties, as Node does', async () => {
    const { a } = await console_();
    let from = a.text().length;
    a.write(`child_proc${KEY.tab}`);
    await a.waitFor('child_process', { from });
    a.write(`.execFileSy${KEY.tab}`);
    await a.waitFor('child_process.execFileSync', { from });
    a.write(KEY.enter);
    await a.waitFor('[Function: execFileSync]', { from });
    from = a.text().length;
    a.write(`'child_process' in globalThis${KEY.enter}`);
    await a.waitFor(/\nfalse/, { from });
  });

  it('lists several candidates on a double Tab, de-duplicated', async () => {
    const { a, run } = await console_();
    await run('let zzCandidateOne = 1', 'undefined');
    await run('let zzCandidateOne = 2', 'undefined');
    await run('let zzCandidateTwo = 3', 'undefined');
    const from = a.text().length;
    a.write(`zzCand${KEY.tab}${KEY.tab}`);
    const m = await a.waitFor(/zzCandidateOne\s+zzCandidateTwo/, { from });
    expect(m[0].match(/zzCandidateOne/g)).toHaveLength(1);
  });

  it('never runs a getter or a call with side effects', async () => {
    const { a, run } = await console_();
    await run("globalThis.hits = 0; globalThis.trap = { get bomb() { globalThis.hits++; return { inner: 1 } } }", /\{/);
    let from = a.text().length;
    a.write(`trap.bomb.in${KEY.tab}`);
    a.write(`${KEY.ctrlC}`);
    await a.waitForPrompt(from);
    await run('hits', /\n0\n/);
    from = a.text().length;
    a.write(`(hits++, trap).bo${KEY.tab}${KEY.ctrlC}`);
    await a.waitForPrompt(from);
    await run('hits', /\n0\n/);
  });

  it("completes require(' with module names and dot-commands", async () => {
    const { a } = await console_();
    let from = a.text().length;
    a.write(`require('node:chi${KEY.tab}`);
    await a.waitFor("require('node:child_process", { from });
    a.write(KEY.ctrlC);
    await a.waitForPrompt(from);
    from = a.text().length;
    a.write(`.hel${KEY.tab}`);
    await a.waitFor('.help', { from });
  });
});
