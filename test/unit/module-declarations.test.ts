// Top-level declarations of a module's source (what `.scope` expects to find in the module scope).
import { describe, expect, it } from 'vitest';
import { topLevelNames } from '../../src/session/module-declarations.js';

describe('topLevelNames', () => {
  it('lists var, let, const, function and class declarations in order, not nested ones', () => {
    const src = 'var a = 1; let b; const c = 2;\nfunction d() { const inner = 1; }\nclass E {}\nif (x) { let blocked = 1; }';
    expect(topLevelNames(src, false)).toEqual(['a', 'b', 'c', 'd', 'E']);
  });

  it('follows destructuring patterns', () => {
    expect(topLevelNames('const { a, b: [c, ...d], e = 1, ...f } = o; let [g, , h = 2] = p;', false)).toEqual([
      'a', 'c', 'd', 'e', 'f', 'g', 'h',
    ]);
  });

  it('reads ES modules: imports and exported declarations', () => {
    const src = "import fs, { join as j } from 'node:fs';\nimport * as ns from 'x';\nexport const k = 1;\nexport default function main() {}\nexport { k as kk };";
    expect(topLevelNames(src, true)).toEqual(['fs', 'j', 'ns', 'k', 'main']);
  });

  it('accepts CommonJS bodies (top-level return, hashbang) and a wrongly guessed kind', () => {
    expect(topLevelNames('#!/usr/bin/env node\nconst a = 1;\nif (a) return;', false)).toEqual(['a']);
    expect(topLevelNames("import x from 'y';", false)).toEqual(['x']);
    expect(topLevelNames('this is not javascript', true)).toEqual([]);
  });
});
