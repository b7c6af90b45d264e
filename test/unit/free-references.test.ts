// Which names an entry reads without defining them (built-in modules supplied by the console).
import { expect, it } from 'vitest';
import { freeReferences } from '../../src/syntax/free-references.js';
const N = new Set(['fs', 'path', 'os']);
const f = (c: string) => Object.fromEntries([...freeReferences(c, N)].map(([k, v]) => [k, v.map((r) => `${r.at}${r.shorthand ? 's' : ''}`).join(',')]));
it('finds the names an entry uses as values, not those it binds', () => {
  expect(f('fs.readFileSync(path.join(a, "fs"))')).toEqual({ fs: '0', path: '16' });
  expect(f('const fs = 1; fs')).toEqual({});
  expect(f('const { fs } = o; fs')).toEqual({});
  expect(f('({ fs })')).toEqual({ fs: '3s' });
  expect(f('function g(fs) { return fs } g(os)')).toEqual({ os: '31' });
  expect(f('a.fs; ({ fs: 1 }); typeof os')).toEqual({ os: '26' });
  expect(f('fs = 2')).toEqual({});
  expect(f('for (const path of x) path')).toEqual({});
  expect(f('[fs] = [1]')).toEqual({});
  expect(f('({ a: fs } = o)')).toEqual({});
  expect(f('x = { [fs]: 1 }')).toEqual({ fs: '7' });
});
