// `anode attach --all PATTERN -e EXPR`: the same expressions in every Node.js process of this user whose
// command line contains PATTERN (every worker of a cluster, say), one result line per pid. One process at
// a time, each left as `anode attach` leaves it (an inspector anode opened is closed before the next).
import { UsageError, isAnodeError } from '../errors.js';
import { listNodeProcesses } from '../program/node-processes.js';
import { TargetedEvaluator } from '../session/targeted-evaluator.js';
import { connect, detach } from './attachment.js';

export interface AttachAllFlags {
  eval?: string[];
  timeout: number;
  color?: boolean;
  worker?: number;
}

/** One line: the text with its line breaks folded. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Runs the -e expressions in each matching process; resolves to anode's exit code (1 if any failed). */
export async function attachAll(pattern: string, flags: AttachAllFlags): Promise<number> {
  if ((flags.eval ?? []).length === 0) throw new UsageError('--all needs -e EXPR: it evaluates in every matching process and prints one line per pid');
  if (pattern === '') throw new UsageError('--all needs a non-empty PATTERN (part of the command lines to match)');
  const self = process.argv[1];
  const matching = (await listNodeProcesses()).filter((p) => p.command.includes(pattern) && !(self && p.command.includes(self)));
  if (matching.length === 0) {
    process.stderr.write(`anode: no Node.js process of this user has '${pattern}' in its command line (see anode ps)\n`);
    return 1;
  }
  const width = Math.max(...matching.map((p) => String(p.pid).length));
  let code = 0;
  for (const { pid } of matching) {
    const label = String(pid).padStart(width);
    try {
      const results = await evaluateIn(pid, flags);
      process.stdout.write(`${label}  ${results.map(oneLine).join('  ')}\n`);
      if (results.failed) code = 1;
    } catch (err) {
      if (!isAnodeError(err)) throw err;
      process.stdout.write(`${label}  anode: ${oneLine(err.message)}\n`);
      code = 1;
    }
  }
  return code;
}

async function evaluateIn(pid: number, flags: AttachAllFlags): Promise<string[] & { failed?: boolean }> {
  const attached = await connect(String(pid), flags.timeout);
  const results: string[] & { failed?: boolean } = [];
  try {
    const evaluator = new TargetedEvaluator(attached.session, { colors: flags.color === true });
    if (flags.worker !== undefined) await evaluator.enter(flags.worker);
    for (const source of flags.eval ?? []) {
      const outcome = await evaluator.evaluate(source);
      results.push(outcome.text);
      if (outcome.kind !== 'value') {
        results.failed = true;
        break;
      }
    }
    await evaluator.dispose();
  } finally {
    await detach(attached);
  }
  return results;
}
