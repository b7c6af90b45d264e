// The debug log: NODE_DEBUG=anode traces every CDP message both ways and every served-protocol message,
// on anode's stderr; without it, none of that appears (the control).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';

const CONTROLLED = path.join(TEST_FIXTURES, 'controlled.js');

async function servedAndConnected(debug: boolean): Promise<{ server: string; client: string; answer: string }> {
  const env = debug ? { NODE_DEBUG: 'anode', CONTROLLED_QUIET: '' } : { CONTROLLED_QUIET: '' };
  const server = startAnode(['run', '--serve', '0', CONTROLLED], { env });
  const address = (await server.waitFor(/The console is being served on (\S+)\n/))[1]!;
  await server.waitFor(/controlled ready/, { stream: 'stdout' });
  const client = startAnode(['connect', '--no-readline', '--console', address], { env: debug ? { NODE_DEBUG: 'anode' } : {} });
  client.send('6 * 7');
  await Promise.any([client.waitFor(/\b42\b/, { stream: 'stdout' }), client.waitFor(/\b42\b/)]);
  client.end();
  await client.exited;
  server.kill('SIGINT');
  await server.exited;
  return { server: server.stderr, client: client.stderr, answer: client.stdout + client.stderr };
}

describe('NODE_DEBUG=anode', () => {
  it('traces CDP both ways and the served protocol; nothing of it without NODE_DEBUG', { timeout: 90_000 }, async () => {
    const on = await servedAndConnected(true);
    expect(on.answer).toContain('42');
    expect(on.server).toMatch(/ANODE \d+: cdp#\d+ opened to ws:\/\//);
    expect(on.server).toMatch(/ANODE \d+: cdp#\d+ → \d+ Runtime\.evaluate \{/);
    expect(on.server).toMatch(/ANODE \d+: cdp#\d+ ← \d+ Runtime\.evaluate \{/);
    expect(on.server).toMatch(/ANODE \d+: cdp#\d+ ← event \w+\.\w+/);
    expect(on.server).toMatch(/ANODE \d+: protocol ← [^:]+:\d+: eval/);
    expect(on.server).toMatch(/ANODE \d+: protocol → [^:]+:\d+: result/);
    expect(on.client).toMatch(/ANODE \d+: protocol → [^:]+:\d+: eval/);
    expect(on.client).toMatch(/ANODE \d+: protocol ← [^:]+:\d+: result/);
    const off = await servedAndConnected(false);
    expect(off.answer).toContain('42');
    expect(off.server + off.client).not.toMatch(/ANODE \d+:/);
  });
});
