// Source handling: completeness, object literals, import() routing, identifier mentions.
import { describe, expect, it } from 'vitest';
import { isIncomplete } from '../../src/console/input.js';
import { AGENT_REF } from '../../src/session/agent.js';
import { assignsName, mentions, prepareSource, rewriteDynamicImport, wrapObjectLiteral } from '../../src/session/source.js';

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
    expect(wrapObjectLiteral('  { a: 1, b }  ')).toBe('({ a: 1, b })');
    expect(wrapObjectLiteral('{ let x = 1; x }')).toBe('{ let x = 1; x }');
    expect(wrapObjectLiteral('{a: 1};')).toBe('{a: 1};');
    expect(wrapObjectLiteral('x = {a: 1}')).toBe('x = {a: 1}');
  });

  it('routes import() through the agent, leaving strings, comments and import.meta alone', () => {
    expect(rewriteDynamicImport("await import('x')")).toBe(`await ${AGENT_REF}.import('x')`);
    expect(rewriteDynamicImport("'import(1)' // import(2)")).toBe("'import(1)' // import(2)");
    expect(rewriteDynamicImport('a.import(1)')).toBe('a.import(1)');
    expect(rewriteDynamicImport('import (y); import(z)')).toBe(`${AGENT_REF}.import (y); ${AGENT_REF}.import(z)`);
    expect(rewriteDynamicImport("import('x') 'unterminated")).toBe("import('x') 'unterminated");
  });

  it('prefixes a yield and names the script', () => {
    expect(prepareSource('1 + 1', 'REPL3')).toBe('await undefined;1 + 1\n//# sourceURL=REPL3');
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
