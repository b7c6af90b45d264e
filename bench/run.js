// `npm run bench [-- --quick] [-- --only eval,serve] [-- --write-md]`: every section of issue 7 in one run, each figure
// against a baseline measured in the same run (interleaved). Prints a table, writes bench/results.json.
// Each section pushes its rows as it measures them (a section cut short keeps what it measured).
// A section that cannot run (a command not there yet, a failure) records `skipped` rows; the run goes on.
// A section that hangs (a call that does not return, see lib/hang.js) makes the run end with exit code 3.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, killAll } from './lib/procs.js';
import { markdownTable, table, writeResults } from './lib/report.js';
import { skipped } from './lib/stats.js';
import { nowMs } from './lib/sample.js';

const SECTIONS = ['eval', 'serve', 'fanout', 'large', 'startup', 'cost', 'logging', 'memory', 'workers', 'loop'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    'write-md': { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const wanted = values.only ? values.only.split(',') : SECTIONS;
const sectionBudgetMs = quick ? 30_000 : 90_000;
const log = (text) => process.stderr.write(`bench: ${text}\n`);

const rows = [];
/** Sections that hung (a call that never returned, or the section over its budget): the run fails. */
const hung = [];
const started = nowMs();
const machine = `${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}; load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`;
for (const name of SECTIONS.filter((s) => wanted.includes(s))) {
  const t0 = nowMs();
  log(`section ${name}${quick ? ' (quick)' : ''}`);
  let timer;
  try {
    const { run } = await import(`./sections/${name}.js`);
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`section took over ${sectionBudgetMs / 1000} s (HUNG: no call named; see the last step logged)`)), sectionBudgetMs);
    });
    await Promise.race([run({ quick, log, rows }), deadline]);
  } catch (err) {
    if (/HUNG:|section took over/.test(String(err.message ?? err))) hung.push(`${name}: ${err.message}`);
    log(`section ${name} failed: ${err.stack ?? err}`);
    rows.push(skipped(`${name}-section`, `failed: ${String(err.message ?? err).split('\n')[0].slice(0, 300)}`));
  } finally {
    clearTimeout(timer);
    await killAll();
  }
  log(`section ${name} done in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
}

const file = path.join(ROOT, 'bench', 'results.json');
writeResults(file, rows);
console.log(values.markdown ? markdownTable(rows) : table(rows));
if (values['write-md']) {
  // RESULTS.md keeps its prose; the part between the markers is the latest run.
  const md = path.join(ROOT, 'bench', 'RESULTS.md');
  const text = readFileSync(md, 'utf8');
  const block = [
    '<!-- results:start -->',
    `Run: \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((nowMs() - started) / 1000).toFixed(0)} s.`,
    `Machine: ${machine}.`,
    '',
    markdownTable(rows),
    '<!-- results:end -->',
  ].join('\n');
  writeFileSync(md, text.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, block));
  log(`table written to ${path.relative(process.cwd(), md)}`);
}
log(`${rows.length} results in ${((nowMs() - started) / 1000).toFixed(1)} s; written to ${path.relative(process.cwd(), file)}`);
for (const h of hung) log(`FAILED, a section hung: ${h}`);
// Sockets of a section that timed out may still be open: the run is over.
process.exit(hung.length > 0 ? 3 : 0);
