// `anode run` and the program's whole process tree: its children (fork, cluster, a stubborn one, a grandchild
// holding stderr) end with the console. The built anode against real node programs; the ps-lsof project runs
// this file once more on the process table of ps (what macOS has).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { announcedPids, startAnode } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { gone, isAlive } from '../helpers/processes.js';

const fixture = (name: string): string => path.join(TEST_FIXTURES, 'lifecycle', name);

describe('anode run: the whole process tree', () => {
  it.each(['fork', 'cluster'])('ending the console ends the program\'s children (%s)', async (mode) => {
    const a = startAnode(['run', fixture('family.cjs'), mode]);
    const children = await announcedPids(a, 'child', mode === 'cluster' ? 2 : 1);
    await a.waitForPrompt();
    a.end();
    expect((await a.exited).code).toBe(0);
    for (const pid of children) await gone(pid);
    expect(a.stderr).not.toMatch(/killing pid/);
  });

  it('a child that ignores signals is killed after the grace periods, and anode says which pid', async () => {
    const a = startAnode(['run', '--grace', '300', fixture('family.cjs'), 'stubborn']);
    const [child] = await announcedPids(a, 'child');
    await a.waitForPrompt();
    a.end();
    await a.exited;
    await gone(child!);
    // Its handlers ran: it got each signal before SIGKILL.
    expect(a.stdout).toContain('child ignored SIGINT');
    expect(a.stdout).toContain('child ignored SIGTERM');
    expect(a.stderr).toMatch(new RegExp(`of its process group did not exit within 300 ms of SIGINT; sending SIGTERM`));
    expect(a.stderr).toMatch(new RegExp(`anode: killing pid ${child} \\(.*family\\.cjs.*\\): still running 300 ms after SIGTERM`));
  });

  it('SIGKILL of anode: the watchdog ends the program\'s children too', async () => {
    const a = startAnode(['run', '--grace', '300', fixture('family.cjs'), 'stubborn']);
    const [child] = await announcedPids(a, 'child');
    await a.waitForPrompt();
    const program = await a.programPid();
    a.child.kill('SIGKILL');
    await a.exited;
    await gone(program);
    await gone(child!);
  });

  it('a grandchild holding the program\'s stderr does not keep anode from exiting', async () => {
    const a = startAnode(['run', fixture('stderr-holder.cjs')]);
    const [holder] = await announcedPids(a, 'holder');
    expect((await a.exited).code).toBe(4);
    expect(a.stderr).toContain('program done\n');
    // (On a loaded machine the program may be done before its console opens: either way, one line.)
    expect(a.stderr).toMatch(/anode: the program exited \(code 4\)( before the console opened)?\n/);
    // The positive control: the grandchild still holds the pipe anode left behind.
    expect(isAlive(holder!)).toBe(true);
  });
});
