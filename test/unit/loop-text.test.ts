// The pure parts of `.loop` and the profilers: aligned columns, units, top functions, allocation sites.
import { describe, expect, it } from 'vitest';
import { topFunctions } from '../../src/loop/cpu-profile.js';
import { topAllocations } from '../../src/loop/heap.js';
import { whereText } from '../../src/loop/locations.js';
import { bytes, columns, duration } from '../../src/loop/table.js';

describe('columns', () => {
  it('aligns cells (numbers to the right), ignores colour escapes in widths, leaves no trailing space', () => {
    const rows = columns([['count', 'name'], ['12', '\x1b[36mab\x1b[0m'], ['3', 'abcdef']], [0]);
    expect(rows).toEqual(['  count  name', '     12  \x1b[36mab\x1b[0m', '      3  abcdef']);
  });
});

describe('units', () => {
  it('bytes and durations read at a glance', () => {
    expect([bytes(0), bytes(1023), bytes(1536), bytes(5 * 2 ** 20), bytes(null)]).toEqual(['0 B', '1023 B', '1.5 KB', '5.0 MB', '-']);
    expect([duration(5), duration(1500), duration(61_000), duration(null)]).toEqual(['5 ms', '1.5 s', '1 min 1 s', '-']);
  });
  it('file:line relative to the program directory, 1-based', () => {
    expect(whereText({ url: 'file:///srv/app/lib/a.js', line: 9, column: 0 }, '/srv/app')).toBe('lib/a.js:10');
    expect(whereText({ url: '/srv/app/b.js', line: 0, column: 0 }, '/srv/app')).toBe('b.js:1');
    expect(whereText({ url: 'node:internal/timers', line: 503, column: 0 }, '/srv/app')).toBe('node:internal/timers:504');
    expect(whereText(undefined, '')).toBe('');
  });
});

const frame = (functionName: string, lineNumber = 0) => ({ functionName, url: '/app/x.js', lineNumber, columnNumber: 0, scriptId: '1' });

describe('topFunctions', () => {
  it('self time to the sampled node, total time once per function on the stack (recursion)', () => {
    // root → main → busy → busy (recursive); root → (idle)
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('main', 1), children: [3] },
        { id: 3, callFrame: frame('busy', 5), children: [4] },
        { id: 4, callFrame: frame('busy', 5), children: [] },
        { id: 5, callFrame: frame('(idle)'), children: [] },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [4, 4, 3, 5],
      timeDeltas: [0, 1000, 1000, 1000],
    };
    const { rows, totalMs } = topFunctions(profile, '/app');
    expect(totalMs).toBe(4);
    const busy = rows.find((r) => r.name === 'busy')!;
    expect(busy).toEqual({ name: 'busy', where: 'x.js:6', selfMs: 3, totalMs: 3 });
    expect(rows.find((r) => r.name === 'main')).toEqual(expect.objectContaining({ selfMs: 0, totalMs: 3 }));
    expect(rows[0]!.name).toBe('busy');
    expect(rows.some((r) => r.name === '(root)')).toBe(false);
  });
});

describe('topAllocations', () => {
  it('sums self sizes per site, most first', () => {
    const profile = {
      head: {
        callFrame: frame('(root)'),
        selfSize: 0,
        id: 1,
        children: [
          { callFrame: frame('alloc', 2), selfSize: 100, id: 2, children: [{ callFrame: frame('inner', 3), selfSize: 300, id: 3, children: [] }] },
          { callFrame: frame('alloc', 2), selfSize: 50, id: 4, children: [] },
        ],
      },
      samples: [],
    };
    const { rows, total } = topAllocations(profile, '/app');
    expect(total).toBe(450);
    expect(rows).toEqual([
      { name: 'inner', where: 'x.js:4', bytes: 300 },
      { name: 'alloc', where: 'x.js:3', bytes: 150 },
    ]);
  });
});
