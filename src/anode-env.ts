// anode's own environment variables. The `anode` command takes them out of its process environment when it
// starts (see cli/own-environment.ts), so that neither the program it starts nor an anode started from
// there inherits them silently; anode reads the values it took from here. Used as a library inside a
// program, nothing is taken: the program's environment is the program's, and is read as it is.

/** Variables a user sets for anode itself. */
export const USER_VARIABLES = ['ANODE_TOKEN', 'ANODE_REPL_HISTORY'] as const;
export type AnodeVariable = (typeof USER_VARIABLES)[number];

let taken: Partial<Record<AnodeVariable, string>> | undefined;

/** Records the values the anode command took out of its environment. */
export function setTakenVariables(values: Partial<Record<AnodeVariable, string>>): void {
  taken = values;
}

/** The value of one of anode's variables: what the command took, else (as a library) the environment's. */
export function anodeVariable(name: AnodeVariable): string | undefined {
  return taken ? taken[name] : process.env[name];
}
