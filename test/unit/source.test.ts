// Source handling: completeness, object literals, import() routing, identifier mentions.
import { describe, expect, it } from 'vitest';
import { isIncomplete } from '../../src/console/input.js';
import { AGENT_REF } from '../../src/session/agent.js';
import { assignsName, dynamicImports, mentions, prepareSource, wrapObjectLiteral } from '../../src/session/source.js';

describe('isIncomplete', () => {
  it.each([
    ['function f() {', true],
    ['if (x) {', true],
    ['`abc', true],
    ['/* comment', true],
    ['[1, 2,', true],
    ['foo(', true],
    ['1 +', true],
    ['1 + 1', false],
    ['foo bar', false],
    ["'unterminated", false],
    ['let x = 1', false],
    ['await x', false],
    ['}', false],
    ['', false],
  ])('%j → %s', (code, expected) => {
    expect(isIncomplete(code)).toBe(expected);
  });
});

describe('source transforms', () => {
  it('reads a lone {…} as an object literal, a block otherwise', () => {
    expect(wrapObjectLiteral('{a: 1}')).toBe('({a: 1})');
    expect(wrapObjectLiteral('  { a: 1, b }  ')).toBe('(  { a: 1, b }  )');
    expect(wrapObjectLiteral('{ let x = 1; x }')).toBe('{ let x = 1; x }');
    expect(wrapObjectLiteral('{a: 1};')).toBe('{a: 1};');
    expect(wrapObjectLiteral('x = {a: 1}')).toBe('x = {a: 1}');
  });

  it('finds import() calls, leaving strings, comments, methods and import.meta alone', () => {
    expect(dynamicImports("await import('x')")).toEqual([6]);
    expect(dynamicImports("'import(1)' // import(2)")).toEqual([]);
    expect(dynamicImports('a.import(1); import.meta')).toEqual([]);
    expect(dynamicImports('import (y); import(z)')).toEqual([0, 12]);
    expect(dynamicImports("import('x') 'unterminated")).toEqual([]);
  });

  it('prefixes a yield and names the script', () => {
    const p = prepareSource('1 + 1', 'REPL3');
    expect(p.source).toBe('await undefined;1 + 1\n//# sourceURL=REPL3');
    expect(p.presented).toBe(false);
  });

  it('hands the value of an entry that ends with an expression to the formatter, and nothing else', () => {
    const present = { open: 'P(', close: ')' };
    const source = (code: string): string | undefined => {
      const p = prepareSource(code, 'R', { present });
      return p.presented ? p.source.replace(/^await undefined;|\n\/\/# sourceURL=R$/g, '') : undefined;
    };
    expect(source('1 + 1')).toBe('P(1 + 1)');
    expect(source('{a: 1}')).toBe('(P({a: 1}))');
    expect(source('  { a: 1 }  ')).toBe('(  P({ a: 1 })  )');
    expect(source('await f(); // why')).toBe('P(await f()); // why');
    expect(source('x = 1, y')).toBe('P(x = 1, y)');
    expect(source("await import('x')")).toBe(`P(await ${AGENT_REF}.import('x'))`);
    expect(source("import('x')")).toBe(`P(${AGENT_REF}.import('x'))`);
    expect(source("{a: 1, b: await import('x')}")).toBe(`(P({a: 1, b: await ${AGENT_REF}.import('x')}))`);
    expect(source('x; y // last')).toBe('x; P(y) // last');
    expect(source('let a = 1\na + 1')).toBe('let a = 1\nP(a + 1)');
    for (const other of ['let x = 1', 'x; let y', 'function f() {}', 'class A {}', 'if (x) y', '{ let x = 1; x }', 'a +', '']) {
      expect(source(other), other).toBeUndefined();
    }
  });

  it('maps positions in what it evaluates back to the entry as typed', () => {
    const code = "f(import('a'),\n  null.x)";
    const p = prepareSource(code, 'R', { prelude: 'restore();', present: { open: 'present((', close: '), {})' }, before: 'enter(1)' });
    const at = (needle: string): { line: number; column: number } => {
      const offset = p.source.indexOf(needle);
      const before = p.source.slice(0, offset);
      return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
    };
    expect(p.original(at('f('))).toEqual({ line: 1, column: 1 });
    expect(p.original(at("('a')"))).toEqual({ line: 1, column: 9 });
    expect(p.original(at('.x)'))).toEqual({ line: 2, column: 7 });
    expect(p.original(at('restore'))).toEqual({ line: 1, column: 1 }); // inserted: where it was inserted
    expect(p.source.startsWith('await (enter(1), undefined);restore();')).toBe(true); // `before` ahead of the first await
  });

  it('knows when a line uses or assigns a binding', () => {
    expect(mentions('[...main.history]', 'main')).toBe(true);
    expect(mentions('x.main', 'main')).toBe(false);
    expect(mentions('x?.main', 'main')).toBe(false);
    expect(mentions('domain', 'main')).toBe(false);
    expect(mentions('_ + 1', '_')).toBe(true);
    expect(mentions('a._b', '_')).toBe(false);
    expect(assignsName('_ = 5', '_')).toBe(true);
    expect(assignsName('let _ = 5', '_')).toBe(true);
    expect(assignsName('_ == 5', '_')).toBe(false);
    expect(assignsName('_error = 1', '_')).toBe(false);
  });
});

describe('prepareSource: names the console routes to its own (ainput / aprint)', () => {
  const routed = { names: new Set(['ainput', 'aprint']), via: 'IO.' };
  const body = (source: string): string => source.slice('await undefined;'.length, source.indexOf('\n//# sourceURL'));

  it('routes free references, shorthand properties and typeof, next to built-in module names', () => {
    const p = prepareSource("const n = await ainput('a? '); ({ aprint }); typeof ainput; fs.x", 'R', { builtins: new Set(['fs']), routed });
    expect(body(p.source)).toBe(`const n = await IO.ainput('a? '); ({ aprint: IO.aprint }); typeof IO.ainput; ${AGENT_REF}.lib.fs.x`);
  });

  it("leaves an entry's own ainput alone, and properties and strings", () => {
    const p = prepareSource("let ainput = () => 1; o.aprint('aprint'); ainput()", 'R', { routed });
    expect(body(p.source)).toBe("let ainput = () => 1; o.aprint('aprint'); ainput()");
  });
});
