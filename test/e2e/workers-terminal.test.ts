// Worker threads in a real terminal: the `worker N> ` prompt, Tab completion, the eager preview and the
// Ctrl-C key all act in the worker the console is in.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_FIXTURES } from '../helpers/paths.js';
import { KEY, startAnodePty } from '../helpers/pty.js';

const pool = path.join(TEST_FIXTURES, 'worker-pool.cjs');

describe('a terminal console in a worker thread', () => {
  it('completes, previews and interrupts in the worker', async () => {
    const a = startAnodePty(['run', pool, '2']);
    // The program's own `ready` line may come after the first prompt (the terminal is shared).
    const ids = (await a.waitFor(/ready ([\d,]+)/))[1]!.split(',').map(Number);
    const id = ids[0]!;
    let from = a.text().length;
    a.write(`.worker ${id}${KEY.enter}`);
    await a.waitFor(new RegExp(`Now in worker ${id}[^\\n]*\\n(\\r)?worker ${id}> $`), { from });
    // Tab: a global only the worker has.
    from = a.text().length;
    a.write(`workerSt${KEY.tab}`);
    await a.waitFor('workerStats', { from });
    // The preview is computed in the worker too.
    a.write('.index + 41');
    await a.waitFor(/workerStats\.index \+ 41\s*\n41/, { from });
    a.write(KEY.enter);
    await a.waitFor(new RegExp(`\\n41\\n(\\r)?worker ${id}> $`), { from });
    // Ctrl-C stops a loop in the worker; the worker answers again afterwards.
    from = a.text().length;
    a.write(`while (true) {}${KEY.enter}`);
    a.write(KEY.ctrlC);
    await a.waitFor('Interrupted: the evaluation was stopped', { from });
    from = a.text().length;
    a.write(`workerStats.handled > 0${KEY.enter}`);
    await a.waitFor(new RegExp(`\\ntrue\\n(\\r)?worker ${id}> $`), { from });
    a.write(`.exit${KEY.enter}`);
    expect((await a.exited).exitCode).toBe(0);
  });
});
