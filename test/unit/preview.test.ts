// How a preview value is shown: one line, within the width, dimmed (or `// ` without colours).
import { describe, expect, it } from 'vitest';
import { style } from '../../src/session/preview.js';

describe('preview style', () => {
  it('dims with colours, comments without', () => {
    expect(style('2', '1 + 1', { colors: true, maxWidth: 80 })).toBe('\x1b[90m2\x1b[39m');
    expect(style('2', '1 + 1', { colors: false, maxWidth: 80 })).toBe('// 2');
  });

  it('says nothing when the value only repeats the input, or is undefined without colours', () => {
    expect(style('42', ' 42 ', { colors: true, maxWidth: 80 })).toBeUndefined();
    expect(style('undefined', 'f()', { colors: false, maxWidth: 80 })).toBeUndefined();
    expect(style('undefined', 'f()', { colors: true, maxWidth: 80 })).toBe('\x1b[90mundefined\x1b[39m');
  });

  it('keeps the first line and cuts to the width with ...', () => {
    expect(style('Error: a\n    at x', 'e', { colors: true, maxWidth: 80 })).toBe('\x1b[90mError: a\x1b[39m');
    const cut = style('x'.repeat(100), 'y', { colors: false, maxWidth: 20 })!;
    expect(cut).toBe(`// ${'x'.repeat(13)}...`);
    expect(cut.length).toBeLessThanOrEqual(20);
  });
});
