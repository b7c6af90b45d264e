// What needs the default inspector port 127.0.0.1:9229: programs started plainly open their inspector
// there on SIGUSR1. This is the only file that takes 9229; it runs in its own vitest project (port-9229),
// after every other file, one test at a time, so no other test can hold the port meanwhile.
import { describe, expect, it } from 'vitest';
import { anode, attachTwice, bothWork, canListen, noWatchdogFor, opener, startEcho } from '../helpers/attach.js';

describe('anode attach PID: the default inspector port', () => {
  it('attaches to a program started plainly (9229) and closes 9229 again', async (ctx) => {
    if (!(await canListen(9229))) return ctx.skip('127.0.0.1:9229 is in use on this machine');
    const { target, port } = await startEcho([]);
    const r = await anode(['attach', String(target.pid), '-e', 'process.pid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${target.pid}\n`);
    expect(target.stderr).toContain('Debugger listening on ws://127.0.0.1:9229/');
    await target.waitForPorts([port]);
  });
});

describe('two anodes, the default inspector port', () => {
  it('a program started plainly (9229): both attach, either leaves first, 9229 closed at the end', async (ctx) => {
    for (const order of ['opener first', 'joiner first'] as const) {
      if (!(await canListen(9229))) return ctx.skip('127.0.0.1:9229 is in use on this machine');
      const { target, port } = await startEcho([]);
      const [a, b, ms] = await attachTwice(target.pid);
      await bothWork(a, b, target, port);
      const [openedIt, joined] = opener(a, b);
      const [first, last] = order === 'opener first' ? [openedIt, joined] : [joined, openedIt];
      first.end();
      expect((await first.exited).code).toBe(0);
      expect(await target.ports()).toEqual([port, 9229].sort((x, y) => x - y));
      expect(await last.evaluate('process.pid')).toBe(String(target.pid));
      last.end();
      expect((await last.exited).code).toBe(0);
      await target.waitForPorts([port]);
      await noWatchdogFor(target.pid);
      target.kill();
      await target.exited;
      console.info(`[faults] two anodes attached at once (9229, ${order} leaves): both prompts after ${ms} ms; 9229 closed by the last`);
    }
  });
});
