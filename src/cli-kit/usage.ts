// A command's usage in the original's (argparse) style, for `list` and `-h`:
// `history [-h] [--pattern PATTERN]`, `hello [-h] --name NAME [extra ...]`.
import type { Argument, Command, Option } from 'commander';

/** `name [-h] [--opt VALUE] ... args` for `cmd`. */
export function usageOf(cmd: Command): string {
  const parts = [cmd.name(), '[-h]'];
  for (const option of cmd.options as readonly Option[]) {
    if (option.long === '--help' || option.hidden) continue;
    parts.push(optionUsage(option));
  }
  for (const arg of cmd.registeredArguments as readonly Argument[]) parts.push(argumentUsage(arg));
  return parts.join(' ');
}

function optionUsage(option: Option): string {
  const flag = option.long ?? option.short ?? option.flags;
  const metavar = option.attributeName().replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  let text = flag;
  if (option.required) text += ` ${metavar}`;
  else if (option.optional) text += ` [${metavar}]`;
  if (option.variadic) text += ` [${metavar} ...]`;
  return option.mandatory ? text : `[${text}]`;
}

function argumentUsage(arg: Argument): string {
  const name = arg.name();
  if (arg.required) return arg.variadic ? `${name} [${name} ...]` : name;
  return arg.variadic ? `[${name} ...]` : `[${name}]`;
}
