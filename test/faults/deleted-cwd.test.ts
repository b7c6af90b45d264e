// A deleted working directory: `anode run /abs/app.js` works where `node /abs/app.js` works; a relative
// path says in one line why it cannot be found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnode } from '../helpers/anode.js';
import { FIXTURES } from '../helpers/paths.js';

describe('a deleted working directory', () => {
  it('runs an absolute path, and refuses a relative one in one line', async () => {
    const gone = mkdtempSync(path.join(tmpdir(), 'anode-gone-'));
    const a = startAnode(['run', path.join(FIXTURES, 'echo.js'), '0'], { cwd: gone });
    const b = startAnode(['run', 'echo.js'], { cwd: gone });
    // Removed once both have started in it (a process keeps a deleted directory as its cwd).
    rmSync(gone, { recursive: true, force: true });
    await a.waitForPrompt();
    expect(await a.evaluate('1 + 1')).toBe('2');
    a.end();
    expect((await a.exited).code).toBe(0);
    const r = await b.exited;
    expect(b.stderr).not.toContain('internal error');
    expect(r.code === 0 || b.stderr.includes('anode: cannot find program')).toBe(true);
  });
});
