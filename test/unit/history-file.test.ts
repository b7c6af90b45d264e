// The history file: an entry added while an earlier write is under way is written too (it was cleared
// with the batch before, and lost: seen as a missing entry after Ctrl-D under load).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryFile } from '../../src/console/history.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('HistoryFile', () => {
  it('writes an entry added while the previous write runs', async () => {
    for (let turns = 0; turns < 40; turns += 2) {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'anode-history-')), 'history');
      const history = new HistoryFile(file);
      const first = history.add('first');
      for (let i = 0; i < turns; i++) await turn();
      await Promise.all([first, history.add('second'), history.add('third')]);
      expect(await readFile(file, 'utf8'), `after ${turns} turns`).toBe('first\nsecond\nthird\n');
    }
  });
});
