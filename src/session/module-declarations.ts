// The top-level declarations of a module's source, found with acorn: what `.scope` expects to see in the
// module's scope (a name declared here but absent from the live scope was optimized away by V8).
import * as acorn from 'acorn';

type Node = acorn.Node & Record<string, unknown>;

/** Names bound at the top level of `source`, in source order (ESM when `module`, else a CommonJS body). */
export function topLevelNames(source: string, module: boolean): string[] {
  let program: acorn.Program;
  try {
    program = parse(source, module);
  } catch {
    // A .js file whose kind was guessed wrong still has declarations worth listing.
    try {
      program = parse(source, !module);
    } catch {
      return [];
    }
  }
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  for (const statement of program.body) {
    const node = declarationOf(statement as unknown as Node);
    if (!node) continue;
    switch (node.type) {
      case 'VariableDeclaration':
        for (const d of node.declarations as Node[]) patternNames(d.id as Node, add);
        break;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (node.id) add((node.id as acorn.Identifier).name);
        break;
      case 'ImportDeclaration':
        for (const s of node.specifiers as Node[]) add((s.local as acorn.Identifier).name);
        break;
    }
  }
  return names;
}

function parse(source: string, module: boolean): acorn.Program {
  return acorn.parse(source, {
    ecmaVersion: 'latest',
    sourceType: module ? 'module' : 'script',
    allowHashBang: true,
    allowReturnOutsideFunction: !module,
    allowAwaitOutsideFunction: module,
  });
}

/** The declaration a top-level statement makes (`export const x` declares `x`). */
function declarationOf(statement: Node): Node | undefined {
  if (statement.type === 'ExportNamedDeclaration') return (statement.declaration as Node | null) ?? undefined;
  if (statement.type === 'ExportDefaultDeclaration') {
    const d = statement.declaration as Node;
    return (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id ? d : undefined;
  }
  return statement;
}

/** Identifiers bound by a (destructuring) pattern. */
function patternNames(node: Node | null, add: (name: string) => void): void {
  if (!node) return;
  switch (node.type) {
    case 'Identifier':
      add((node as unknown as acorn.Identifier).name);
      break;
    case 'ObjectPattern':
      for (const p of node.properties as Node[]) patternNames((p.type === 'RestElement' ? p.argument : p.value) as Node, add);
      break;
    case 'ArrayPattern':
      for (const e of node.elements as (Node | null)[]) patternNames(e, add);
      break;
    case 'RestElement':
      patternNames(node.argument as Node, add);
      break;
    case 'AssignmentPattern':
      patternNames(node.left as Node, add);
      break;
  }
}
