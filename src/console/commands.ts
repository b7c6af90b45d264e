// Dot-commands, in the manner of Node's REPL.
import { readFile, writeFile } from 'node:fs/promises';
import { entrySyntax, isObjectLiteral } from '../syntax/entry.js';
import { TARGET_COMMANDS, type TargetCommandContext } from './target-commands.js';
import { LOOP_COMMANDS } from './loop-commands.js';
import type { Inspection, RemoteInspection } from './types.js';
import { COMMAND_LINE_API_HELP } from '../session/command-line-api.js';

/** What a dot-command may do to the console that runs it. */
export interface CommandContext extends TargetCommandContext {
  write(text: string): void;
  exit(): void;
  clearBuffer(): void;
  history(): readonly string[];
  evaluate(code: string): Promise<void>;
  /** Turns mirroring of the program's console output on or off; returns the notice. */
  mirror(on: boolean): string;
  /** The text of `.scope [FILE]`, or undefined when this console cannot read module scopes. */
  scope(file: string | undefined): Promise<string | undefined>;
  /** Enters editor mode; false when the console has no terminal (Node offers `.editor` only there). */
  editor(): boolean;
  /** The session and colours `.loop`/`.profile`/`.heap` work with; undefined when this console has none. */
  inspection(): Inspection | undefined;
  /** The served console that runs them for this one instead (`anode connect`), when it can. */
  remoteInspection?(): RemoteInspection | undefined;
  /** Whether the console is a terminal (progress lines are drawn only there). */
  terminal: boolean;
  /** Makes Ctrl-C abort the command until `done()` (a long `.profile` ends early). */
  interruptible(): { signal: AbortSignal; done(): void };
}

/** What Node's REPL says to `.save` or `.load` without a file. */
const NO_FILE = 'The "file" argument must be specified\n';

interface Command {
  help: string;
  run(arg: string, ctx: CommandContext): Promise<void> | void;
}

const COMMANDS: Record<string, Command> = {
  ...TARGET_COMMANDS,
  break: { help: 'Sometimes you get stuck, this gets you out', run: (_a, ctx) => ctx.clearBuffer() },
  clear: { help: 'Alias for .break', run: (_a, ctx) => ctx.clearBuffer() },
  console: {
    help: "Show the program's console.* output here: .console on|off",
    run: (arg, ctx) => {
      if (arg !== 'on' && arg !== 'off') return ctx.write('usage: .console on|off\n');
      ctx.write(`${ctx.mirror(arg === 'on')}\n`);
    },
  },
  editor: {
    help: 'Enter editor mode (terminal only)',
    run: (_a, ctx) => {
      if (!ctx.editor()) {
        ctx.write('.editor needs a terminal, as in Node\'s REPL; without one, type the lines directly: unfinished code continues on the next line\n');
      }
    },
  },
  exit: { help: 'Exit the console', run: (_a, ctx) => ctx.exit() },
  help: {
    help: 'Print this help message',
    run: (_a, ctx) => {
      const names = Object.keys(COMMANDS).sort();
      const width = Math.max(...names.map((n) => n.length)) + 4;
      const lines = names.map((n) => `.${n.padEnd(width)}${COMMANDS[n]!.help}`);
      ctx.write(
        `${lines.join('\n')}\n\nPress Ctrl+C to interrupt an evaluation or clear the line, Ctrl+D to exit.\n` +
          'Top-level await works; `main` is the program\'s entry module, `require` resolves like the program,\n' +
          '`scope` holds the entry module\'s top-level variables (live objects).\n' +
          "`await ainput('name? ')` reads a line from you, `await aprint(...values)` prints here (this console,\n" +
          "never the program's stdio; in a program's own console, import them from 'anode').\n" +
          COMMAND_LINE_API_HELP,
      );
    },
  },
  load: {
    help: 'Load JS from a file into the console session',
    run: async (file, ctx) => {
      if (!file) return ctx.write(NO_FILE);
      let code: string;
      try {
        code = await readFile(file, 'utf8');
      } catch (err) {
        // Node's REPL's words for a missing file and a folder; the reason for anything else.
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        return ctx.write(`Failed to load: ${file}${why === 'ENOENT' ? '' : why === 'EISDIR' ? ' is not a valid file' : ` (${why})`}\n`);
      }
      // The file is one entry: a syntax error in it says on which line of the file, as for a required file.
      const error = entrySyntax(code).error;
      if (error && error.pos >= 0 && !isObjectLiteral(code)) ctx.write(`${file}:${code.slice(0, error.pos).split('\n').length}\n`);
      await ctx.evaluate(code);
    },
  },
  scope: {
    help: "List the top-level variables of the program's entry module (or of FILE): .scope [FILE]",
    run: async (file, ctx) => {
      const text = await ctx.scope(file || undefined);
      ctx.write(`${text ?? "this console cannot read the program's module scopes"}\n`);
    },
  },
  save: {
    help: 'Save all evaluated commands in this console session to a file',
    run: async (file, ctx) => {
      if (!file) return ctx.write(NO_FILE);
      try {
        await writeFile(file, `${ctx.history().join('\n')}\n`);
        ctx.write(`Session saved to: ${file}\n`);
      } catch (err) {
        ctx.write(`Failed to save: ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
      }
    },
  },
  ...LOOP_COMMANDS,
};

/**
 * Runs `.name arg`; returns false when the line is code (`.5 + 1`, or `.then(f)` inside a multi-line
 * entry). `strict` (a fresh entry) reports an unknown name instead of evaluating it.
 */
export async function runCommand(line: string, ctx: CommandContext, strict = true): Promise<boolean> {
  const match = /^\.(\w+)(?:\s+(.*))?$/.exec(line);
  if (!match) return false;
  const command = Object.hasOwn(COMMANDS, match[1]!) ? COMMANDS[match[1]!] : undefined;
  if (!command) {
    if (!strict) return false;
    ctx.write('Invalid REPL keyword\n'); // Node's words (.help lists the keywords)
    return true;
  }
  await command.run((match[2] ?? '').trim(), ctx);
  return true;
}

/** Names of the dot-commands (for completion). */
export function commandNames(): string[] {
  return Object.keys(COMMANDS).map((n) => `.${n}`);
}
