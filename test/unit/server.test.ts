// The serving layer's pure parts: addresses, loopback, tokens, the line limiter.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatAddress, isLoopback, parseServeAddress } from '../../src/server/address.js';
import { LineLimiter } from '../../src/server/line-limit.js';
import { tokenMatches } from '../../src/server/token.js';

describe('parseServeAddress', () => {
  it('defaults to loopback', () => {
    expect(parseServeAddress('8889')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8889 });
    expect(parseServeAddress(':0')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  });
  it('takes a host, an IPv6 literal, or a unix path', () => {
    expect(parseServeAddress('0.0.0.0:1')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 1 });
    expect(parseServeAddress('[::1]:5')).toEqual({ kind: 'tcp', host: '::1', port: 5 });
    expect(parseServeAddress('unix:/tmp/x.sock')).toEqual({ kind: 'unix', path: '/tmp/x.sock' });
    expect(formatAddress({ kind: 'tcp', host: '::1', port: 5 })).toBe('[::1]:5');
  });
  it('names the bad value', () => {
    expect(() => parseServeAddress('host:port')).toThrow(/got 'host:port'/);
    expect(() => parseServeAddress('70000')).toThrow(/0-65535/);
    expect(() => parseServeAddress('unix:')).toThrow(/needs a path/);
  });
});

describe('isLoopback', () => {
  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(h)).toBe(false);
  });
});

describe('tokenMatches', () => {
  it('compares whole tokens of any length', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cre', 's3cret')).toBe(false);
    expect(tokenMatches('', 's3cret')).toBe(false);
    expect(tokenMatches('s3cret-and-more', 's3cret')).toBe(false);
  });
});

async function limit(chunks: (string | Buffer)[], max: number): Promise<{ out: string; tooLong: number[] }> {
  const tooLong: number[] = [];
  const out: string[] = [];
  const limiter = new LineLimiter(max, (n) => tooLong.push(n));
  Readable.from(chunks.map((c) => Buffer.from(c))).pipe(limiter);
  for await (const chunk of limiter) out.push(String(chunk));
  return { out: out.join(''), tooLong };
}

describe('LineLimiter', () => {
  it('passes whole lines, joining pieces', async () => {
    expect(await limit(['ab', 'c\nde', 'f\n', 'tail'], 10)).toEqual({ out: 'abc\ndef\ntail', tooLong: [] });
  });
  it('drops an over-long line up to its newline and reports its length', async () => {
    const r = await limit(['12345', '678', '90\nok\n', 'x'.repeat(20), '\n'], 5);
    expect(r.out).toBe('ok\n');
    expect(r.tooLong).toEqual([10, 20]);
  });
  it('accepts a line of exactly the limit', async () => {
    expect((await limit(['12345\n'], 5)).out).toBe('12345\n');
  });
});
