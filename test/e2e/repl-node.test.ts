// The console's Node-REPL behaviours that the ported cases (repl-cases.test.ts) cannot show on their own:
// what the program sees of the built-in modules, syntax errors in files, `.save`, and TypeScript entries.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnode, type AnodeProcess } from '../helpers/anode.js';
import { TEST_FIXTURES } from '../helpers/paths.js';

const started: AnodeProcess[] = [];
const run = (...args: string[]): AnodeProcess => {
  const a = startAnode(['run', ...args]);
  started.push(a);
  return a;
};
afterEach(async ({ task }) => {
  for (const a of started.splice(0)) {
    if (task.result?.state === 'fail') console.log(`${a.description}\n${a.output()}`);
    a.kill();
  }
});

describe('built-in modules by name', () => {
  it('are there for entries, never for the program, and never over its own global', async () => {
    const a = run(join(TEST_FIXTURES, 'os-global.js'));
    await a.waitForPrompt();
    expect(await a.evaluate('typeof fs')).toBe("'object'");
    expect(await a.evaluate("fs === require('fs')")).toBe('true');
    expect(await a.evaluate("path.basename('/a/b.txt')")).toBe("'b.txt'");
    // The program's own code (a script run in its global scope) does not see them.
    expect(await a.evaluate("require('vm').runInThisContext('typeof fs')")).toBe("'undefined'");
    expect(await a.evaluate("'fs' in globalThis")).toBe('false');
    // The program's global `os` wins (positive control above: `fs` is supplied).
    expect(await a.evaluate('os')).toBe("\"the program's own os\"");
    // A declaration of the console's own later is no collision.
    expect(await a.evaluate("const fs = 'mine'; fs")).toBe("'mine'");
    expect(await a.evaluate('fs')).toBe("'mine'");
  });
});

describe('syntax errors in files', () => {
  it('a required file shows file:line, the line and the caret; .load says the line', async () => {
    const a = run(join(TEST_FIXTURES, 'idle.js'));
    await a.waitForPrompt();
    const required = await a.evaluate("require('./bad-syntax.cjs')");
    expect(required).toBe(`${join(TEST_FIXTURES, 'bad-syntax.cjs')}:2\nconst b = ;\n          ^\n\nUncaught SyntaxError: Unexpected token ';'`);
    const loaded = await a.evaluate(`.load ${join(TEST_FIXTURES, 'bad-load.js')}`);
    expect(loaded).toBe(`${join(TEST_FIXTURES, 'bad-load.js')}:2\nconst broken = ;\n               ^\n\nUncaught SyntaxError: Unexpected token ';'`);
  });
});

describe('.save', () => {
  it('leaves out entries that threw, keeps spaces-only lines and the entry being typed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anode-save-'));
    try {
      const a = run(join(TEST_FIXTURES, 'idle.js'));
      await a.waitForPrompt();
      expect(await a.evaluate('1')).toBe('1');
      expect(await a.evaluate('null.x')).toMatch(/^Uncaught TypeError/);
      expect(await a.evaluate('  ')).toBe('undefined');
      expect(await a.evaluate('let x = 3')).toBe('undefined');
      expect(await a.evaluate('function f() {', '... ')).toBe('');
      expect(await a.evaluate(`.save ${join(dir, 's.js')}`, '... ')).toBe(`Session saved to: ${join(dir, 's.js')}`);
      expect(readFileSync(join(dir, 's.js'), 'utf8')).toBe('1\n  \nlet x = 3\nfunction f() {\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const installed = (name: string): string => fileURLToPath(new URL(`../node-versions/node_modules/${name}/bin/node`, import.meta.url));

describe.each([
  { line: 'v22', bin: installed('node22'), flags: ['--experimental-strip-types'] },
  { line: 'v24', bin: installed('node24'), flags: [] },
])('TypeScript entries, Node $line', ({ line, bin, flags }) => {
  it('are evaluated with their types stripped, and the banner says so', async (ctx) => {
    if (!existsSync(bin)) ctx.skip(`Node ${line} is not installed (${bin} missing): run \`npm run nodes\``);
    const a = run('--node', bin, ...flags, join(TEST_FIXTURES, 'typed.ts'));
    await a.waitForPrompt();
    expect(a.stderr).toContain('TypeScript accepted');
    expect(await a.evaluate('const o: number = 5; o')).toBe('5');
    expect(await a.evaluate('interface A { a: number }')).toBe('undefined');
    expect(await a.evaluate('enum E { A, B }; E.B')).toBe('1');
    expect(await a.evaluate('main.answer')).toBe('42');
    // Positions hold (the types become blanks): the frame points at `new` as typed.
    const typed = 'function g(x: string): string { throw new Error(x) }';
    await a.evaluate(typed);
    expect(await a.evaluate("g('boom')")).toMatch(new RegExp(`^Uncaught Error: boom\\n    at g \\(REPL\\d+:1:${typed.indexOf('new') + 1}\\)$`));
    // Plain JavaScript is untouched, and Node's warning for the stripper is not the program's.
    expect(await a.evaluate('[1, 2].map((n) => n * 2)')).toBe('[ 2, 4 ]');
    expect(a.stderr).not.toContain('stripTypeScriptTypes is an experimental feature');
    // Positive control: the program's warnings do reach its stderr.
    a.send("process.emitWarning('probe', 'ExperimentalWarning')");
    await a.waitFor('ExperimentalWarning: probe');
  });
});
