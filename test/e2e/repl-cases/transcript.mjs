// Runs one session of REPL cases through a console on a pipe (`node -i`, or `anode`) and collects what
// it printed per case. Shared by record.mjs (which records what Node prints) and repl-cases.test.ts.
//
// Lines are sent one at a time, each once the console has printed its next prompt (`> `, or `... ` / Node 24's `| ` in a multi-line entry), as
// Node's own tests do (a console that gets lines while an entry awaits may print them out of order).
// Stdout and stderr are one pipe (`2>&1`), so the program's console.* output stays in order with the
// console's results. A case's output is what its lines printed.
//
// Normalisations (applied to Node's and to anode's output alike):
//   1. prompts: `> `, `... ` (and Node 24's `| `) at the start of a line are removed;
//   2. Node's internal frames (`    at ... (node:...)`, `    at node:...`) are removed: a console into a
//      program has other internals below an entry;
//   3. REPL script numbers: `REPL12` becomes `REPL#` (each console numbers its entries, but anode's count
//      of its own scripts differs); the line and column after it are kept;
//   4. the temporary folder of a session becomes `<tmp>`;
//   5. trailing blank lines of a case are dropped.
import { spawn } from 'node:child_process';

const PROMPTS = ['> ', '... ', '| '];
const promptAt = (line) => PROMPTS.find((p) => line.startsWith(p));

export function normalise(text, tmp) {
  let out = text.replaceAll('\r', '');
  if (tmp) out = out.split(tmp).join('<tmp>');
  out = out
    .split('\n')
    .map((l) => { let s = l; for (let p = promptAt(s); p; p = promptAt(s)) s = s.slice(p.length); return s; })
    .filter((l) => !/^\s+at (.*\(node:[^)]*\)|node:\S+)$/.test(l))
    .join('\n')
    .replace(/\bREPL\d+\b/g, 'REPL#');
  return out.replace(/\n+$/, '');
}

/**
 * Runs `argv` (a console reading stdin) and feeds it the session's lines one prompt at a time; resolves
 * with { [caseId]: normalised output }.
 */
export async function runSession(argv, session, { cwd, env, tmp, lineTimeoutMs = 30_000 } = {}) {
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('/bin/sh', ['-c', `exec ${quoted} 2>&1`], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let wake = () => {};
  let closed = false;
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; wake(); });
  child.on('close', () => { closed = true; wake(); });
  child.stdin.on('error', () => {});
  const prompted = async (from) => {
    const deadline = Date.now() + lineTimeoutMs;
    for (;;) {
      const seen = out.slice(from);
      if (/(^|\n|> |\.\.\. |\| )(> |\.\.\. |\| )$/.test(seen)) return true;
      if (closed) return false;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no prompt after ${lineTimeoutMs} ms; output so far:\n${out}`);
      await new Promise((resolve) => { const t = setTimeout(resolve, left); wake = () => { clearTimeout(t); resolve(); }; });
    }
  };
  const result = {};
  try {
    let alive = await prompted(0);
    for (const c of session.cases) {
      const from = out.length;
      for (const line of c.input) {
        if (!alive) break;
        const at = out.length;
        child.stdin.write(`${line.replaceAll('<tmp>', tmp ?? '<tmp>')}\n`);
        alive = await prompted(at);
      }
      result[c.id] = normalise(out.slice(from), tmp);
    }
    child.stdin.end();
    if (!closed) await new Promise((resolve) => child.once('close', resolve));
  } finally {
    if (!closed) child.kill('SIGKILL');
  }
  return { cases: result, output: out };
}
