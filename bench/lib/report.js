// The run's output: a fixed-width table on stdout and bench/results.json.
import { writeFileSync } from 'node:fs';

const fmt = (x) => (x === null || x === undefined ? '-' : String(x));

/** The results as a text table (one row per metric). */
export function table(rows) {
  const head = ['metric', 'value', 'unit', 'baseline', 'ratio', 'goal', 'pass'];
  const body = rows.map((r) =>
    r.skipped !== undefined
      ? [r.metric, 'skipped', '', '', '', '', r.skipped]
      : [
          r.metric,
          fmt(r.value),
          fmt(r.unit),
          fmt(r.baseline),
          fmt(r.ratio),
          r.goal === null ? '-' : `${r.higher_is_better ? '>=' : '<='} ${r.goal}${r.goal_on === 'ratio' ? 'x' : ''}`,
          r.pass === null ? '-' : r.pass ? 'yes' : 'NO',
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => Math.min(String(row[i]).length, 60))));
  const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? String(c) : String(c).padEnd(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The results as a Markdown table (for RESULTS.md). */
export function markdownTable(rows) {
  const out = ['| metric | value | unit | baseline | ratio | goal | pass |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    if (r.skipped !== undefined) out.push(`| ${r.metric} | skipped | | | | | ${r.skipped.replace(/\|/g, '/')} |`);
    else {
      const goal = r.goal === null ? '-' : `${r.higher_is_better ? '≥' : '≤'} ${r.goal}${r.goal_on === 'ratio' ? '×' : ''}`;
      out.push(`| ${r.metric} | ${fmt(r.value)} | ${fmt(r.unit)} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${goal} | ${r.pass === null ? '-' : r.pass ? 'yes' : '**no**'} |`);
    }
  }
  return out.join('\n');
}

/** Writes the rows as JSON (an array of result objects). */
export function writeResults(file, rows) {
  writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}
