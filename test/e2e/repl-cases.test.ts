// Node's own REPL tests as the specification of the console: the input→output cases ported from
// nodejs/node test/parallel/test-repl*.js (repl-cases/cases.json), what `node -i` prints for them on each
// Node line (repl-cases/expected.json, recorded by repl-cases/record.mjs), fed to `anode run` through a
// pipe against a program on that Node line. Every case either prints what Node prints, or is listed in
// repl-cases/deliberate.json with the reason. At least 95 % print what Node prints, counted without the
// cases of one deliberate rule: the completion value of an entry that awaits (a loop that awaited prints
// its last value, as without await), where anode keeps its better behaviour on purpose; both figures
// are printed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ANODE_BIN, TEST_FIXTURES } from '../helpers/paths.js';
// Plain JavaScript shared with the recorder.
import * as transcript from './repl-cases/transcript.mjs';

const runSession = transcript.runSession as (argv: string[], session: unknown, options: Record<string, unknown>) => Promise<unknown>;

interface Case { id: string; input: string[] }
interface Session { name: string; from: string; cases: Case[] }
const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./repl-cases/${name}`, import.meta.url), 'utf8')) as T;
const { sessions } = read<{ sessions: Session[] }>('cases.json');
const expected = read<Record<string, { version: string; cases: Record<string, string> }>>('expected.json');
const deliberateFile = read<{ cases: Record<string, string>; categories: Record<string, string[]> }>('deliberate.json');
const deliberate = deliberateFile.cases;
const completionValues = new Set(Object.values(deliberateFile.categories).flat());

const installed = (name: string): string => fileURLToPath(new URL(`../node-versions/node_modules/${name}/bin/node`, import.meta.url));
const versions = [
  { line: process.version.split('.')[0]!, bin: process.execPath },
  { line: 'v22', bin: installed('node22') },
  { line: 'v24', bin: installed('node24') },
];

describe.each(versions)('Node $line', ({ line, bin }) => {
  it('prints what Node prints for the ported REPL cases', { timeout: 240_000 }, async (ctx) => {
    if (!existsSync(bin)) ctx.skip(`Node ${line} is not installed (${bin} missing): run \`npm run nodes\``);
    const node = expected[line];
    if (!node) ctx.skip(`no recorded expectations for Node ${line}: run repl-cases/record.mjs`);
    const got: Record<string, string> = {};
    const outputs: string[] = [];
    // Sessions are independent processes: two at a time (most of a session's time is start-up and exit).
    const queue = [...sessions];
    const worker = async (): Promise<void> => {
      for (let session = queue.shift(); session; session = queue.shift()) {
        const tmp = mkdtempSync(join(tmpdir(), 'anode-case-'));
        try {
          const argv = [process.execPath, ANODE_BIN, 'run', '--node', bin, join(TEST_FIXTURES, 'idle.js')];
          const r = (await runSession(argv, session, { cwd: tmp, tmp, env: { ANODE_REPL_HISTORY: '' } })) as { cases: Record<string, string>; output: string };
          Object.assign(got, r.cases);
          outputs.push(`--- session ${session.name}\n${r.output}`);
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    const all = sessions.flatMap((s) => s.cases);
    const differing = all.filter((c) => got[c.id] !== node!.cases[c.id]);
    const unexplained = differing.filter((c) => !deliberate[c.id]);
    const report = unexplained.map((c) => `${c.id} ${JSON.stringify(c.input)}\n  node:  ${JSON.stringify(node!.cases[c.id])}\n  anode: ${JSON.stringify(got[c.id])}`).join('\n');
    if (unexplained.length) console.log(`${report}\n\n${outputs.join('\n')}`);
    const matching = all.length - differing.length;
    const counted = all.filter((c) => !completionValues.has(c.id)).length;
    const percent = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)} %`;
    console.log(
      `Node ${line}: ${matching}/${all.length} ported cases print what Node ${node!.version} prints (${percent(matching, all.length)}); ` +
        `${matching}/${counted} without the completion values anode keeps on purpose (${percent(matching, counted)})`,
    );
    expect(unexplained.map((c) => c.id)).toEqual([]);
    expect(matching / counted).toBeGreaterThanOrEqual(0.95);
  });
});
