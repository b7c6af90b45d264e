// Turns a console entry into the source the target evaluates: `{a: 1}` as an object literal (as Node's
// REPL does), `import()` routed through the agent (Runtime.evaluate has no dynamic-import callback), a
// leading yield so Ctrl-C can stop even a synchronous loop, built-in module names and the console's
// routed names (`ainput`) supplied through the agent, and a sourceURL naming the entry in stacks.
import { entrySyntax, isObjectLiteral } from '../syntax/entry.js';
import { freeReferences, type Reference } from '../syntax/free-references.js';
import { AGENT_REF } from './agent.js';
import { InsertedText, type Insertion, type Position } from './insertions.js';

export { isObjectLiteral };

/** The code, parenthesized when it is an object literal. */
export function wrapObjectLiteral(code: string): string {
  return isObjectLiteral(code) ? `(${code})` : code;
}

/** Offsets of the `import` of every `import(...)` call (not `a.import(...)`, strings or comments). */
export function dynamicImports(code: string): number[] {
  return code.includes('import') ? entrySyntax(code).imports : [];
}

/** The patterns for one binding name, compiled once (these scans run for every entry). */
const patterns = new Map<string, { use: RegExp; assign: RegExp; declare: RegExp }>();
function patternsOf(name: string): { use: RegExp; assign: RegExp; declare: RegExp } {
  let p = patterns.get(name);
  if (!p) {
    const escaped = name.replace(/\$/g, '\\$');
    p = {
      // Not a property (`a.main`), but a spread (`...main`) is a use.
      use: new RegExp(`(?<![\\w$])(?<!(?<!\\.)\\.)${escaped}(?![\\w$])`),
      assign: new RegExp(`(^|[^\\w$.])${escaped}\\s*=(?![=>])`),
      declare: new RegExp(`\\b(let|const|var)\\s+${escaped}(?![\\w$])`),
    };
    patterns.set(name, p);
  }
  return p;
}

/** True when the code mentions `name` as an identifier (cheap, may over-report). */
export function mentions(code: string, name: string): boolean {
  return code.includes(name) && patternsOf(name).use.test(code);
}

/** True when the code declares `name` (`let _ = 20`): it then stops following anode, without a notice. */
export function declaresName(code: string, name: string): boolean {
  return code.includes(name) && patternsOf(name).declare.test(code);
}

/** True when the code declares or assigns `name` itself (then it stops following anode, as `_` in Node). */
export function assignsName(code: string, name: string): boolean {
  if (!code.includes(name)) return false;
  const p = patternsOf(name);
  return p.assign.test(code) || p.declare.test(code);
}

/**
 * Where the entry's last statement is an expression statement, whose value is then the entry's result
 * (a script's completion value), or undefined (also for a syntax error: the target reports it as typed).
 */
export function finalExpression(code: string): { start: number; end: number } | undefined {
  return entrySyntax(code).final;
}

/** The built-in module names that appear as words in `code` (a cheap scan: strings and properties too). */
export function builtinWords(code: string, builtins: ReadonlySet<string>): Set<string> {
  const words = code.match(/(?<![\w$.])[a-z][a-z0-9_]*(?![\w$])/g) ?? [];
  return new Set(words.filter((w) => builtins.has(w)));
}

/** The references to `names` in `code` (parsed only when there are names to look for). */
function suppliedReferences(code: string, names: ReadonlySet<string>): Map<string, Reference[]> {
  return names.size === 0 ? new Map() : freeReferences(code, names);
}

/** Names the console supplies to an entry by routing its references through `via` (`<via>ainput`). */
export interface RoutedNames {
  names: ReadonlySet<string>;
  via: string;
}

/** How every console entry begins (see prepareSource): how anode's entries are told from other scripts. */
export const ENTRY_PREFIX = 'await undefined;';

/** The scripts of console entries, by name (`REPL7`) and beginning: what a watchdog may stop. */
export const CONSOLE_ENTRIES = {
  url: (url: string): boolean => /^REPL\d+$/.test(url),
  source: (source: string): boolean => source.startsWith(ENTRY_PREFIX),
};

/** The source to evaluate, whether its value is already the printed text, and the way back to the entry. */
export interface PreparedSource {
  source: string;
  presented: boolean;
  /** Where a position in `source` (from a stack trace) is in the entry as typed. */
  original(position: Position): Position;
}

/** What to put around an entry that is one expression so that its value comes back formatted. */
export interface Presenter {
  open: string;
  close: string;
}

/** What goes around an entry besides the entry itself (see prepareSource). */
export interface SourceOptions {
  /** Statements completing with undefined, run in the same microtask as the entry. */
  prelude?: string;
  /** With it, an entry that ends with an expression has it wrapped so that the reply carries the printed text. */
  present?: Presenter;
  /** The built-in module names the entry reads from the agent. */
  builtins?: ReadonlySet<string>;
  /**
   * An expression run before the leading yield, whose continuation then carries the async context it
   * entered (an in-process console's, so that ainput/aprint called by the entry find their console).
   */
  before?: string;
  /** Names whose references go to a console's own functions in the agent (ainput/aprint). */
  routed?: RoutedNames;
}

/**
 * The full transformation, made of insertions only (so stack positions map back to the entry): a
 * leading yield, the prelude, `{…}` read as an object, `import(` routed through the agent, and with
 * `present`, an entry that ends with an expression has it wrapped so that the evaluation's own reply
 * carries the printed text (one round trip). `name` becomes the script's sourceURL (shown in stack traces).
 */
export function prepareSource(code: string, name: string, options: SourceOptions = {}): PreparedSource {
  const { prelude = '', present, builtins, before, routed } = options;
  // The leading await moves the entry out of the inspector's dispatch, which is what makes it
  // interruptible (see notes/inspector-facts.md); `await undefined` keeps completion values unchanged.
  const lead = before ? `await (${before}, undefined);` : ENTRY_PREFIX;
  const insertions: Insertion[] = [{ at: 0, text: `${lead}${prelude}` }];
  const asObject = isObjectLiteral(code);
  const sole = present ? finalExpression(asObject ? `(${code})` : code) : undefined;
  const shift = asObject ? 1 : 0;
  if (asObject) insertions.push({ at: 0, text: '(' });
  if (present && sole) insertions.push({ at: sole.start - shift, text: present.open });
  // An object literal parses only wrapped: its offsets are the wrapped text's, less the `(`.
  const imports = asObject ? dynamicImports(`(${code})`).map((at) => at - 1) : dynamicImports(code);
  for (const at of imports) insertions.push({ at, text: `${AGENT_REF}.` });
  // Built-in modules by name (`fs.readFileSync`), as in Node's REPL: read from the agent, nothing declared.
  // Routed names (this console's `ainput`) likewise, through their own object.
  const supplied = new Set([...(builtins ?? []), ...(routed?.names ?? [])]);
  for (const [word, refs] of suppliedReferences(asObject ? `(${code})` : code, supplied)) {
    const via = routed?.names.has(word) ? routed.via : `${AGENT_REF}.lib.`;
    for (const r of refs) insertions.push({ at: r.at - shift, text: `${r.shorthand ? `${word}: ` : ''}${via}` });
  }
  if (present && sole) insertions.push({ at: sole.end - shift, text: present.close });
  if (asObject) insertions.push({ at: code.length, text: ')' });
  insertions.push({ at: code.length, text: `\n//# sourceURL=${name}` });
  const built = new InsertedText(code, insertions);
  return { source: built.text, presented: sole !== undefined, original: (p) => built.original(p) };
}
