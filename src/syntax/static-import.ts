// `import x from 'y'` typed at the console: Node's REPL refuses it and suggests the dynamic form
// (`const { default: x } = await import("y");`); anode runs that dynamic form, as Node spells it.
import * as acorn from 'acorn';
import { entrySyntax } from './entry.js';

interface Named {
  type: string;
  name?: string;
  value?: unknown;
}
interface Specifier {
  type: string;
  local: Named;
  imported?: Named;
}
interface ImportNode {
  type: string;
  start: number;
  end: number;
  specifiers: Specifier[];
  source: { value: unknown };
  attributes?: unknown[];
}

/** The entry with each static `import` declaration as its `await import(...)`, or undefined when it has none. */
export function asDynamicImports(code: string): string | undefined {
  if (!code.includes('import') || entrySyntax(code).error === undefined) return undefined;
  let body: ImportNode[];
  try {
    body = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true }).body as unknown as ImportNode[];
  } catch {
    return undefined;
  }
  const imports = body.filter((n) => n.type === 'ImportDeclaration');
  if (imports.length === 0 || imports.some((n) => (n.attributes?.length ?? 0) > 0)) return undefined;
  let out = '';
  let from = 0;
  for (const node of imports) {
    out += code.slice(from, node.start) + dynamicForm(node);
    from = node.end;
  }
  return out + code.slice(from);
}

/** Node's REPL's suggestion (toDynamicImport in lib/repl.js) for one declaration. */
function dynamicForm(node: ImportNode): string {
  const load = `await import(${JSON.stringify(node.source.value)});`;
  const [first] = node.specifiers;
  if (!first) return load;
  if (node.specifiers.length === 1 && first.type === 'ImportNamespaceSpecifier') return `const ${first.local.name} = ${load}`;
  const names = node.specifiers.map(({ local, imported }) => {
    const name = imported === undefined ? 'default' : imported.type === 'Identifier' ? imported.name! : JSON.stringify(imported.value);
    return local.name === name ? local.name : `${name}: ${local.name}`;
  });
  return `const { ${names.join(', ')} } = ${load}`;
}
