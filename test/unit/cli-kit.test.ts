// The CLI kit's pure parts: shell-like splitting and argparse-style usages.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { splitLine } from '../../src/cli-kit/split.js';
import { usageOf } from '../../src/cli-kit/usage.js';

describe('splitLine', () => {
  it('splits like a shell', () => {
    expect(splitLine('hello -n Neil')).toEqual(['hello', '-n', 'Neil']);
    expect(splitLine('  a   b  ')).toEqual(['a', 'b']);
    expect(splitLine(`say "two words" 'single "kept"' x\\ y`)).toEqual(['say', 'two words', 'single "kept"', 'x y']);
    expect(splitLine(`"a\\"b" 'c\\d' "" ''`)).toEqual(['a"b', 'c\\d', '', '']);
    expect(splitLine('history -p 127.*')).toEqual(['history', '-p', '127.*']);
    expect(splitLine('')).toEqual([]);
  });
  it('refuses an unterminated quote', () => {
    expect(() => splitLine('say "oops')).toThrow('No closing quotation');
  });
});

describe('usageOf', () => {
  it('writes argparse-style usages', () => {
    expect(usageOf(new Command('history').option('-p, --pattern <pattern>', 'glob'))).toBe('history [-h] [--pattern PATTERN]');
    const cmd = new Command('copy')
      .requiredOption('--to <dir>', 'where')
      .option('-v, --verbose', 'talk')
      .option('--max-size [bytes]', 'limit')
      .argument('<source>')
      .argument('[rest...]');
    expect(usageOf(cmd)).toBe('copy [-h] --to TO [--verbose] [--max-size [MAX_SIZE]] source [rest ...]');
  });
});
