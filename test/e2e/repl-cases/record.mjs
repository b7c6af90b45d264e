// Records what Node's own REPL prints for every case (node -i on a pipe), per Node line, into
// expected.json. Run it with the three binaries after changing cases.json:
//   node test/e2e/repl-cases/record.mjs NODE20 NODE22 NODE24
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runSession } from './transcript.mjs';

const here = new URL('.', import.meta.url);
const { sessions } = JSON.parse(readFileSync(new URL('cases.json', here), 'utf8'));
const expected = {};
for (const bin of process.argv.slice(2).map((b) => resolve(b))) {
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const line = version.split('.')[0];
  expected[line] = { version, cases: {} };
  for (const session of sessions) {
    const tmp = mkdtempSync(join(tmpdir(), 'repl-case-'));
    try {
      const { cases } = await runSession([bin, '-i'], session, { cwd: tmp, tmp, env: { NODE_REPL_HISTORY: '' } });
      Object.assign(expected[line].cases, cases);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}
writeFileSync(new URL('expected.json', here), `${JSON.stringify(expected, null, 1)}\n`);
