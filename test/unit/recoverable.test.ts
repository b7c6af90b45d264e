// Unfinished versus wrong, as Node's REPL tells them apart (isRecoverableError).
import { describe, expect, it } from 'vitest';
import { needsMore } from '../../src/syntax/entry.js';

describe('needsMore', () => {
  it.each([
    ['{ "a":', true],
    ['{\n  "name": "anode",', true],
    ["'the\\", true],
    ["'the\\\nfourth\\", true],
    ['function f() {', true],
    ['`io.js', true],
    ['/* a', true],
    ['f(1,', true],
  ])('%j waits for more: %s', (code, expected) => {
    expect(needsMore(code)).toBe(expected);
  });
  it.each([
    ['{ "a":\n1 }'],
    ['{ a: 1 }'],
    ["'the\\\nfourth'"],
    ['1 +* 2'],
    ["'abc"],
    ['[] \\'],
    ['2e'],
    ['  '],
  ])('%j is complete or a mistake', (code) => {
    expect(needsMore(code)).toBe(false);
  });
});
