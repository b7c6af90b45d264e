// Splits `anode run` arguments into anode's own options, node flags, the program and its arguments:
// `anode run [anode options] [node flags] FILE [args...]`. Anode's options are whatever the commander
// command declares, so this never has its own list of them.
import type { Option } from 'commander';
import { NODE_FLAGS_WITH_VALUE } from '../program/node-flags.js';

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
