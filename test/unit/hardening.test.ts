import { describe, expect, it } from 'vitest';
import { visibleText } from '../../src/server/visible-text.js';
import { checkSocketPath, MAX_SOCKET_PATH } from '../../src/server/unix-socket.js';
import { clearOwnEnvironment } from '../../src/cli/own-environment.js';
import { anodeVariable } from '../../src/anode-env.js';
import { TokenThrottle } from '../../src/server/token.js';

describe('visibleText', () => {
  it('shows control characters as cat -v does, keeping newlines, tabs and printable text', () => {
    expect(visibleText('\x1b[31mred\x1b[0m\x00\x07\x7f\x9b\tok\né')).toBe('^[[31mred^[[0m^@^G^?M-^[\tok\né');
  });
});

describe('checkSocketPath', () => {
  it('refuses a path longer than the kernel takes, in one line', () => {
    const long = `/tmp/${'x'.repeat(MAX_SOCKET_PATH)}.sock`;
    expect(() => checkSocketPath(long)).toThrow(new RegExp(`is ${Buffer.byteLength(long)} bytes long; the limit here is ${MAX_SOCKET_PATH}`));
    expect(() => checkSocketPath('/tmp/short-enough.sock')).not.toThrow();
  });
});

describe('clearOwnEnvironment', () => {
  it("drops inspector flags from NODE_OPTIONS and takes anode's variables out of the environment", () => {
    const env: NodeJS.ProcessEnv = {
      NODE_OPTIONS: '--inspect-brk=0.0.0.0:9229 --max-old-space-size=100 --inspect-port=0',
      ANODE_TOKEN: 't0ken',
      ANODE_KEEPALIVE: '1',
      OTHER: 'kept',
    };
    const notes = clearOwnEnvironment(env);
    expect(env).toEqual({ NODE_OPTIONS: '--max-old-space-size=100', OTHER: 'kept' });
    expect(anodeVariable('ANODE_TOKEN')).toBe('t0ken');
    expect(notes.join('\n')).toMatch(/NODE_OPTIONS asked for an inspector \(--inspect-brk=0\.0\.0\.0:9229 --inspect-port=0\)/);
    expect(notes.join('\n')).toMatch(/ignored ANODE_KEEPALIVE from the environment/);
  });
});

describe('TokenThrottle', () => {
  it('gives verdicts of one address one at a time, each wrong one doubling the delay; logs once per burst', async () => {
    const log: string[] = [];
    const throttle = new TokenThrottle({ firstDelayMs: 20, maxDelayMs: 80, log: (m) => log.push(m) });
    const signal = new AbortController().signal;
    const t0 = performance.now();
    const verdicts = await Promise.all(['a', 'b', 'c', 'right'].map((g) => throttle.judge('10.0.0.1', '10.0.0.1:1', g, 'right', signal)));
    expect(verdicts).toEqual([false, false, false, true]);
    // 20 + 40 + 80 ms of delays before the last verdict.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(throttle.failures('10.0.0.1')).toBe(3);
    expect(throttle.failures('10.0.0.2')).toBe(0);
    throttle.close();
    expect(log).toHaveLength(2);
    expect(log[1]).toMatch(/^3 wrong tokens from 10\.0\.0\.1 in \d+ s/);
  });
});
