// "Promise was collected" on every Node line: an entry whose awaited promise is garbage-collected in the
// program. The entry says so in one line (or prints its result when it got that far), the console goes on,
// anode never dies of it and never takes the program with it, and the library's in-process console does
// not abort its host on the releases where an in-process inspector session does (every release after 20).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectedPromiseReported, inProcessSessionAborts } from '../../src/session/collected-promise-abort.js';
import { startAnode } from '../helpers/anode.js';
import { NODE_LINES, nodeBinary } from '../helpers/node-versions.js';
import { ROOT, TEST_FIXTURES } from '../helpers/paths.js';
import { isAlive, killPid, track } from '../helpers/processes.js';

const allocating = path.join(TEST_FIXTURES, 'allocating.js');
const LOST = /anode: no reply: the promise this entry waited on was garbage-collected/;

/** Runs `node --expose-gc -e script` to its end; its output and how it ended. */
async function runScript(bin: string, script: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(bin, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  track({ description: `${bin} -e (library script)`, output: () => out, kill: () => killPid(child.pid!) });
  // A script that hangs is ended with what it printed so far, so the failure shows where it stopped.
  const limit = setTimeout(() => {
    out += '\n[test: no end after 40 s, killed]\n';
    killPid(child.pid!);
  }, 40_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  clearTimeout(limit);
  return { code, signal, out };
}

describe.each(NODE_LINES)('Node $line', (entry) => {
  it('anode run: entries whose promise is collected report it, the console goes on', { timeout: 90_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    const a = startAnode(['run', '--node', bin, '--expose-gc', allocating]);
    await a.waitForPrompt();
    const version = (await a.evaluate('process.version')).slice(1, -1);
    const affected = collectedPromiseReported(version);
    // A promise that settled, collected before the inspector's reply: the reply is read back, or said lost.
    expect(await a.evaluate('Promise.resolve(1).then(gc)')).toMatch(/^(Promise \{ <pending> \}|Promise \{ 1 \}|.*no reply.*)$/);
    expect(await a.evaluate('1 + 1')).toBe('2');
    expect(await a.evaluate('import("node:fs");')).toMatch(/Promise/);
    expect(await a.evaluate('_.then(gc);')).toMatch(/Promise|no reply/);
    expect(await a.evaluate('await Promise.resolve(2).then(gc), "after"')).toMatch(/'after'|no reply/);
    for (let i = 0; i < 5; i++) expect(await a.evaluate(`${i} * 2`)).toBe(String(i * 2));
    // An entry that nothing can settle: the affected releases say it was collected; the others wait (Ctrl-C).
    const from = a.stderr.length;
    a.send('await new Promise(() => { setTimeout(() => { gc(); console.log("gc done") }, 20) })');
    await a.waitFor('gc done', { stream: 'stdout' });
    if (affected) await a.waitFor(LOST, { from });
    else {
      a.kill('SIGINT');
      await a.waitFor('Interrupted', { from });
    }
    await a.waitForPrompt();
    expect(await a.evaluate('3 + 3')).toBe('6');
    expect(a.stderr).not.toMatch(/internal error|Unhandled|Promise was collected/);
    const pid = await a.programPid();
    a.end();
    expect((await a.exited).code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('anode run: an allocation-heavy program, sessions with no input, never an internal error', { timeout: 120_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    for (let session = 0; session < 3; session++) {
      const a = startAnode(['run', '--node', bin, allocating]);
      await a.waitForPrompt();
      expect(await a.evaluate('await new Promise((r) => setTimeout(r, 200, 42))')).toBe('42');
      a.end();
      expect((await a.exited).code, a.output()).toBe(0);
      expect(a.stderr).not.toMatch(/internal error|Unhandled/);
    }
  });

  it('library: interact in-process survives collected promises (no abort inside V8)', { timeout: 60_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    const index = pathToFileURL(path.join(ROOT, 'dist/index.js')).href;
    const script = `
      import { PassThrough } from 'node:stream';
      const { interact } = await import(${JSON.stringify(index)});
      const input = new PassThrough(); const output = new PassThrough(); let text = '';
      output.on('data', (d) => { text += d; });
      const done = interact({ input, output, banner: '' });
      input.end(['Promise.resolve(1).then(gc)', 'await Promise.resolve(2).then(gc), "after"', '1 + 1', ''].join('\\n'));
      console.log('ended:', await done);
      // An abandoned wait (an aborted aeval), its promise collected afterwards.
      const { aeval } = await import(${JSON.stringify(index)});
      const c = new AbortController();
      const lost = aeval('await new Promise(() => {})', { signal: c.signal });
      c.abort();
      console.log('aeval:', await lost.catch((e) => e.code));
      const junk = []; for (let i = 0; i < 1e6; i++) junk.push({ i }); gc();
      await new Promise((r) => setTimeout(r, 20));
      console.log('after gc');
      console.log(text);
    `;
    const r = await runScript(bin, script);
    expect(r.signal, r.out).toBe(null);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ended: eof');
    expect(r.out).toMatch(/> 2\n/);
    expect(r.out).toContain('aeval: ANODE_ABORTED');
    expect(r.out).toContain('after gc');
  });

  // The two ways in (see collected-promise-abort.ts), each in a raw in-process session.
  const RAW_WAYS = {
    // An evaluation awaiting a promise that is collected while it runs.
    'collected while awaited': `s.post('Runtime.evaluate', { expression: 'await undefined; Promise.resolve(1).then(gc); "x"', replMode: true, awaitPromise: true },
        (err, r) => console.log('reply', err ? err.message : r.result.value));`,
    // An abandoned wait: the awaited promise's remote object released, then the promise collected.
    'released, then collected': `s.post('Runtime.evaluate', { expression: 'new Promise(() => {})', objectGroup: 'g' }, (e, r) => {
        s.post('Runtime.awaitPromise', { promiseObjectId: r.result.objectId }, () => console.log('reply'));
        s.post('Runtime.releaseObjectGroup', { objectGroup: 'g' });
      });
      setTimeout(() => { const junk = []; for (let i = 0; i < 1e6; i++) junk.push({ i }); gc(); setTimeout(() => console.log('survived'), 20); }, 20);`,
  };

  it('positive control: a raw in-process inspector session aborts on exactly the affected releases', { timeout: 60_000 }, async (ctx) => {
    const bin = nodeBinary(ctx, entry);
    const ended: Record<string, boolean> = {};
    let version = '';
    for (const [way, post] of Object.entries(RAW_WAYS)) {
      const script = `
        import inspector from 'node:inspector';
        const s = new inspector.Session(); s.connect();
        ${post}
        console.log('version', process.version);
      `;
      const r = await runScript(bin, script);
      version = /version (v\S+)/.exec(r.out)![1]!;
      ended[way] = r.code === 0 && r.signal === null;
      if (way === 'collected while awaited' && !collectedPromiseReported(version) && ended[way]) expect(r.out, r.out).toContain('reply x');
    }
    expect(ended['collected while awaited'], version).toBe(!collectedPromiseReported(version));
    expect(Object.values(ended).every(Boolean), version).toBe(!inProcessSessionAborts(version));
  });
});
