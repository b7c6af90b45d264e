// The shutdown plan's pieces: which signals in turn, how a grace period reads, and the flags that set them.
import { describe, expect, it } from 'vitest';
import { formatGrace, signalSequence } from '../../src/program/shutdown.js';
import { parseGrace, parseSignal } from '../../src/cli/stop-flags.js';
import { NODE_FLAGS_WITH_VALUE } from '../../src/program/node-flags.js';

describe('shutdown', () => {
  it('sends the first signal, then SIGTERM, then SIGKILL, none twice', () => {
    expect(signalSequence('SIGINT')).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    expect(signalSequence('SIGHUP')).toEqual(['SIGHUP', 'SIGTERM', 'SIGKILL']);
    expect(signalSequence('SIGTERM')).toEqual(['SIGTERM', 'SIGKILL']);
    expect(signalSequence('SIGKILL')).toEqual(['SIGKILL']);
  });

  it('says a grace period in seconds or milliseconds', () => {
    expect(formatGrace(3000)).toBe('3 s');
    expect(formatGrace(1500)).toBe('1.5 s');
    expect(formatGrace(300)).toBe('300 ms');
  });

  it('reads --kill-signal and --grace', () => {
    expect(parseSignal('SIGTERM')).toBe('SIGTERM');
    expect(parseSignal('int')).toBe('SIGINT');
    expect(parseSignal('15')).toBe('SIGTERM');
    expect(() => parseSignal('SIGNOPE')).toThrow(/expected a signal name/);
    expect(parseGrace('0')).toBe(0);
    expect(() => parseGrace('1.5')).toThrow(/expected milliseconds/);
  });

  it('knows the node flags that take their value as the next argument, and not those that take `=` only', () => {
    for (const flag of ['--diagnostic-dir', '--report-dir', '--import', '-r', '--env-file']) expect(NODE_FLAGS_WITH_VALUE.has(flag)).toBe(true);
    for (const flag of ['--inspect', '--max-old-space-size', '--enable-source-maps']) expect(NODE_FLAGS_WITH_VALUE.has(flag)).toBe(false);
  });
});
