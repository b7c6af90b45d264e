// `--kill-signal SIG` and `--grace MS`: how `anode run` ends the program (see program/shutdown.ts).
import { constants } from 'node:os';
import { InvalidArgumentError } from 'commander';

/** `INT`, `sigint`, `SIGINT` or `2` → `SIGINT`. */
export function parseSignal(value: string): NodeJS.Signals {
  const signals = constants.signals as Record<string, number>;
  const upper = value.toUpperCase();
  const name = /^\d+$/.test(value)
    ? Object.keys(signals).find((s) => signals[s] === Number(value))
    : [upper, `SIG${upper}`].find((s) => s in signals);
  if (!name) throw new InvalidArgumentError(`expected a signal name such as SIGINT or SIGTERM, got '${value}'`);
  return name as NodeJS.Signals;
}

/** A grace period in milliseconds (0 or more). */
export function parseGrace(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected milliseconds (an integer, 0 or more), got '${value}'`);
  return n;
}
