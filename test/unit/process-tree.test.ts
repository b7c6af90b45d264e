import { describe, expect, it } from 'vitest';
import { processTree, type NodeProcessEntry } from '../../src/program/node-processes.js';

const entry = (pid: number, ppid: number): NodeProcessEntry => ({ pid, ppid, main: undefined, command: `node ${pid}`, inspector: undefined, clusterWorker: false });

describe('processTree', () => {
  it('puts children under their parent, depth first, and keeps processes whose parent is not listed at the top', () => {
    const rows = processTree([entry(10, 1), entry(11, 10), entry(12, 10), entry(13, 12), entry(20, 5)]);
    expect(rows.map((r) => [r.entry.pid, r.depth, r.last])).toEqual([
      [10, 0, true],
      [11, 1, false],
      [12, 1, true],
      [13, 2, true],
      [20, 0, true],
    ]);
  });
});
