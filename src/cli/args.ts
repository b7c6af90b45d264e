// Splits `anode run` arguments into anode's own options, node flags, the program and its arguments:
// `anode run [anode options] [node flags] FILE [args...]`. Anode's options are whatever the commander
// command declares, so this never has its own list of them.
import type { Option } from 'commander';

/** Node flags that take their value as the next argument (`-r x`, `--import tsx`). */
const NODE_FLAGS_WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--env-file',
  '--inspect-port',
  '--debug-port',
  '--redirect-warnings',
  '--disable-warning',
  '--stack-trace-limit',
  '--max-old-space-size',
]);

export interface RunArgs {
  /** Anode's own options, for commander to parse. */
  own: string[];
  nodeFlags: string[];
  file: string | undefined;
  args: string[];
}

/** Splits `argv` (everything after `run`) using the options `declared` by anode's command. */
export function splitRunArgs(argv: readonly string[], declared: readonly Option[]): RunArgs {
  const own: string[] = [];
  const nodeFlags: string[] = [];
  const lookup = (flag: string): Option | undefined =>
    declared.find((o) => o.long === flag || o.short === flag || (o.negate && o.long === flag));
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const [flag] = arg.split('=', 1) as [string];
    if (flag === '-h' || flag === '--help') {
      own.push(arg);
      continue;
    }
    const option = lookup(flag);
    if (option) {
      own.push(arg);
      if ((option.required || option.optional) && !arg.includes('=') && i + 1 < argv.length) {
        if (option.required || !argv[i + 1]!.startsWith('-')) own.push(argv[++i]!);
      }
      continue;
    }
    nodeFlags.push(arg);
    if (NODE_FLAGS_WITH_VALUE.has(flag) && !arg.includes('=') && i + 1 < argv.length) nodeFlags.push(argv[++i]!);
  }
  const file = argv[i];
  return { own, nodeFlags, file, args: argv.slice(i + 1) };
}
