// Where an entry refers to a name it does not define itself (`fs` in `fs.readFileSync(f)`), so that the
// console can supply it as Node's REPL supplies built-in modules by name, without declaring anything.
import * as acorn from 'acorn';
import { ACORN } from './entry.js';

/** One reference: its offset, and whether it is a shorthand property (`{ fs }`, which needs `fs: `). */
export interface Reference {
  at: number;
  shorthand: boolean;
}

type Node = acorn.Node & Record<string, unknown>;

/**
 * The references to each of `names` in `code`, only for names the entry uses purely as values: a name it
 * declares, assigns, or binds anywhere (a parameter, a pattern, a label) is the entry's own and left out.
 */
export function freeReferences(code: string, names: ReadonlySet<string>): Map<string, Reference[]> {
  const found = new Map<string, Reference[]>();
  const own = new Set<string>();
  let root: acorn.Node;
  try {
    root = acorn.parse(code, ACORN);
  } catch {
    return found;
  }
  const visit = (node: Node, parent: Node | undefined, key: string, pattern: boolean): void => {
    if (node.type === 'Identifier') {
      const name = node.name as string;
      if (!names.has(name)) return;
      const role = roleOf(parent, key);
      if (role === 'name') return;
      if (pattern || role === 'binding') own.add(name);
      else {
        const list = found.get(name) ?? [];
        list.push({ at: node.start, shorthand: role === 'shorthand' });
        found.set(name, list);
      }
      return;
    }
    for (const [k, value] of Object.entries(node)) {
      const inPattern = childInPattern(node, k, pattern);
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) visit(child, node, k, inPattern);
      } else if (isNode(value)) visit(value, node, k, inPattern);
    }
  };
  visit(root as Node, undefined, '', false);
  for (const name of own) found.delete(name);
  return found;
}

/** Whether the child under `key` of `node` is in a binding pattern (what it names is declared or assigned). */
function childInPattern(node: Node, key: string, pattern: boolean): boolean {
  switch (node.type) {
    case 'VariableDeclarator':
      return key === 'id';
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return key === 'params' || key === 'id';
    case 'ClassDeclaration':
    case 'ClassExpression':
      return key === 'id';
    case 'CatchClause':
      return key === 'param';
    case 'AssignmentExpression':
    case 'ForInStatement':
    case 'ForOfStatement':
      return key === 'left';
    case 'UpdateExpression':
      return true;
    case 'AssignmentPattern':
      return key === 'left' ? pattern : false;
    case 'Property':
      return key === 'value' ? pattern : false;
    case 'ObjectPattern':
    case 'ArrayPattern':
    case 'RestElement':
      return pattern;
    default:
      return false;
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** What an identifier is where it stands: a value read, a name (property, key), or a binding of the entry's own. */
function roleOf(parent: Node | undefined, key: string): 'reference' | 'shorthand' | 'name' | 'binding' {
  if (!parent) return 'reference';
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'property' && !parent.computed ? 'name' : 'reference';
    case 'Property':
      if (key === 'key') return parent.shorthand ? 'name' : parent.computed ? 'reference' : 'name';
      // `{ fs }` as a value (in a pattern, `const { fs } = o`, it binds: see childInPattern).
      return parent.shorthand ? 'shorthand' : 'reference';
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key === 'key' && !parent.computed ? 'name' : 'reference';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return 'name';
    case 'ExportSpecifier':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      return 'binding';
    default:
      return 'reference';
  }
}
