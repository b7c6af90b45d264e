// The Examples section at the end of each command's --help.
import type { Command } from 'commander';

/** Adds `Examples:` with one `$ command   what it does` line per example to `cmd`'s help. */
export function withExamples(cmd: Command, examples: Array<[command: string, what: string]>): Command {
  const width = Math.max(...examples.map(([c]) => c.length));
  const lines = examples.map(([c, what]) => `  $ ${c.padEnd(width)}   ${what}`);
  return cmd.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
}
