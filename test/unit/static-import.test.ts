// A static import typed at the console runs as the dynamic import Node's REPL suggests.
import { describe, expect, it } from 'vitest';
import { asDynamicImports } from '../../src/syntax/static-import.js';

describe('asDynamicImports', () => {
  it.each([
    ["import fs from 'fs'", 'const { default: fs } = await import("fs");'],
    ["import { join } from 'path'", 'const { join } = await import("path");'],
    ["import { join as j, sep } from 'path'", 'const { join: j, sep } = await import("path");'],
    ["import * as os from 'node:os'", 'const os = await import("node:os");'],
    ["import 'node:util'", 'await import("node:util");'],
    ["import a, { b } from './m.js'; a + b", 'const { default: a, b } = await import("./m.js"); a + b'],
  ])('%s', (code, expected) => {
    expect(asDynamicImports(code)).toBe(expected);
  });
  it.each([['1 + 1'], ["await import('fs')"], ["import json from './a.json' with { type: 'json' }"], ['export const x = 1']])(
    'leaves %s alone',
    (code) => {
      expect(asDynamicImports(code)).toBeUndefined();
    },
  );
});
