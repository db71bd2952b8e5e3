/**
 * Where each sub-module of a TS/JS model lives in its source: the line that
 * creates it (`this.fc = new nn.Linear(...)`, or an element of
 * `new nn.Sequential(...)`) and the lines that call it in `forward`
 * (`out = this.fc(out)`). Parsed with the TypeScript compiler API, never with
 * regular expressions. Shared by line breakpoints, call-stack locations and
 * Go to Definition.
 */
import type * as TS from 'typescript';

/** Where one module path is created and called; lines are 0-based. */
export interface ModuleLocation {
  readonly path: string;
  readonly definitionLine?: number;
  readonly callLines: readonly number[];
  /** Character where each call expression ends, on its (last) line. */
  readonly callEnds: readonly number[];
}

/** The module tree as the snapshot knows it: path → class name. */
export type ModuleTypes = ReadonlyMap<string, string>;

function loadTypeScript(): typeof TS {
  // Bundles ship typescript.js next to themselves; compiled sources find it in node_modules.
  return require('typescript') as typeof TS;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** `this.name` → 'name'. */
function thisMember(ts: typeof TS, node: TS.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return node.name.text;
  return undefined;
}

interface ClassFacts {
  /** Member name → line of `this.name = …` and the created expression. */
  assigned: Map<string, { line: number; value: TS.Expression }>;
  /** Member name → lines and end characters of `this.name(…)` calls in `forward`. */
  calls: Map<string, { line: number; end: number }[]>;
}

function classFacts(ts: typeof TS, source: TS.SourceFile, cls: TS.ClassLikeDeclaration): ClassFacts {
  const facts: ClassFacts = { assigned: new Map(), calls: new Map() };
  const lineOf = (n: TS.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line;
  for (const member of cls.members) {
    const inForward = ts.isMethodDeclaration(member) && member.name.getText(source) === 'forward';
    const visit = (node: TS.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const name = thisMember(ts, node.left);
        if (name && !facts.assigned.has(name)) facts.assigned.set(name, { line: lineOf(node), value: node.right });
      }
      if (ts.isPropertyDeclaration(member) && member.initializer && node === member) {
        facts.assigned.set(member.name.getText(source), { line: lineOf(member), value: member.initializer });
      }
      if (inForward && ts.isCallExpression(node)) {
        const name = thisMember(ts, node.expression);
        if (name) {
          const end = source.getLineAndCharacterOfPosition(node.getEnd());
          facts.calls.set(name, [...(facts.calls.get(name) ?? []), { line: lineOf(node), end: end.character }]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(member);
  }
  return facts;
}

/** `new nn.Sequential(a, b)` / `new nn.ModuleList([a, b])` → the element expressions by index. */
function containerElements(ts: typeof TS, value: TS.Expression): TS.Expression[] | undefined {
  if (!ts.isNewExpression(value)) return undefined;
  const name = value.expression.getText().split('.').pop();
  if (name !== 'Sequential' && name !== 'ModuleList') return undefined;
  const args = [...(value.arguments ?? [])];
  if (args.length === 1 && ts.isArrayLiteralExpression(args[0])) return [...args[0].elements];
  return args;
}

/**
 * Locates every module of the tree in `text`.
 *
 * @param rootType - the root module's class name, e.g. `CustomLinearLayer`
 * @param types - every module path with its class name, from the model snapshot
 */
export function mapModuleSources(fileName: string, text: string, rootType: string, types: ModuleTypes): ModuleLocation[] {
  const ts = loadTypeScript();
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const classes = new Map<string, TS.ClassLikeDeclaration>();
  const collect = (node: TS.Node): void => {
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.name) classes.set(node.name.text, node);
    ts.forEachChild(node, collect);
  };
  collect(source);
  const lineOf = (n: TS.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line;
  const out = new Map<string, { definitionLine?: number; callLines: number[]; callEnds: number[] }>();
  const at = (path: string) => {
    let entry = out.get(path);
    if (!entry) out.set(path, (entry = { callLines: [], callEnds: [] }));
    return entry;
  };
  const walkClass = (prefix: string, cls: TS.ClassLikeDeclaration, depth: number): void => {
    if (depth > 32) return;
    const facts = classFacts(ts, source, cls);
    for (const [name, { line, value }] of facts.assigned) {
      const path = join(prefix, name);
      if (!types.has(path)) continue;
      at(path).definitionLine = line;
      for (const c of facts.calls.get(name) ?? []) {
        at(path).callLines.push(c.line);
        at(path).callEnds.push(c.end);
      }
      walkValue(path, value, depth);
    }
  };
  const walkValue = (path: string, value: TS.Expression, depth: number): void => {
    const elements = containerElements(ts, value);
    elements?.forEach((el, i) => {
      const child = join(path, String(i));
      if (!types.has(child)) return;
      at(child).definitionLine = lineOf(el);
      walkValue(child, el, depth + 1);
    });
    const cls = classes.get(types.get(path) ?? '');
    if (cls) walkClass(path, cls, depth + 1);
  };
  const root = classes.get(rootType);
  if (root) {
    at('').definitionLine = lineOf(root);
    walkClass('', root, 0);
  }
  return [...out].map(([path, e]) => ({ path, ...e }));
}
