/**
 * Where each sub-module of a TS/JS model lives in its source: the line that
 * creates it (`this.fc = new nn.Linear(...)`, or an element of
 * `new nn.Sequential(...)`), the lines that call it in `forward`
 * (`out = this.fc(out)`), and the names bound to it (`const fc = …`, for
 * hovers on a layer variable). Parsed with the TypeScript compiler API, never
 * with regular expressions. Shared by line breakpoints, call-stack locations,
 * hovers and Go to Definition.
 */
import type * as TS from 'typescript';
import { layerCreation, sameType } from './layerCreation';
import { parseSourceProgram, type SourceProgram } from './sourceProgram';

/** A range on one line, 0-based. */
export interface NameRange {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** Where one module path is created and called; lines are 0-based. */
export interface ModuleLocation {
  readonly path: string;
  readonly definitionLine?: number;
  readonly callLines: readonly number[];
  /** Character where each call expression ends, on its (last) line. */
  readonly callEnds: readonly number[];
  /** Every occurrence of a name bound to this module (`const fc = new nn.Linear(…)`, then `fc`). */
  readonly references: readonly NameRange[];
}

/** The module tree as the snapshot knows it: path → class name, in `named_modules` order. */
export type ModuleTypes = ReadonlyMap<string, string>;

/** How deep values and classes are followed; guards against cycles in odd code. */
const MAX_DEPTH = 32;

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** `this.name` → 'name'. */
function thisMember(ts: typeof TS, node: TS.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return node.name.text;
  return undefined;
}

/** `(x as T)`, `x!`, `await x` → `x`. */
function unwrap(ts: typeof TS, e: TS.Expression): TS.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

interface ClassFacts {
  /** Member name → line of `this.name = …` and the created expression. */
  assigned: Map<string, { line: number; value: TS.Expression }>;
  /** Member name → lines and end characters of `this.name(…)` calls in `forward`. */
  calls: Map<string, { line: number; end: number }[]>;
}

function classFacts(p: SourceProgram, cls: TS.ClassLikeDeclaration): ClassFacts {
  const { ts, source } = p;
  const facts: ClassFacts = { assigned: new Map(), calls: new Map() };
  for (const member of cls.members) {
    const inForward = ts.isMethodDeclaration(member) && member.name.getText(source) === 'forward';
    const visit = (node: TS.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const name = thisMember(ts, node.left);
        if (name && !facts.assigned.has(name)) facts.assigned.set(name, { line: p.lineOf(node), value: node.right });
      }
      if (ts.isPropertyDeclaration(member) && member.initializer && node === member) {
        facts.assigned.set(member.name.getText(source), { line: p.lineOf(member), value: member.initializer });
      }
      if (inForward && ts.isCallExpression(node)) {
        const name = thisMember(ts, node.expression);
        if (name) {
          const end = source.getLineAndCharacterOfPosition(node.getEnd());
          facts.calls.set(name, [...(facts.calls.get(name) ?? []), { line: p.lineOf(node), end: end.character }]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(member);
  }
  return facts;
}

/**
 * The children a container expression lists, in order: `new nn.Sequential(a, b)`,
 * `new nn.ModuleList([a, b])`, `tf.sequential({ layers: [a, b] })`.
 */
function containerElements(ts: typeof TS, value: TS.Expression): TS.Expression[] | undefined {
  if (ts.isNewExpression(value)) {
    const name = value.expression.getText().split('.').pop();
    if (name !== 'Sequential' && name !== 'ModuleList') return undefined;
    const args = [...(value.arguments ?? [])];
    if (args.length === 1 && ts.isArrayLiteralExpression(args[0])) return [...args[0].elements];
    return args;
  }
  if (ts.isCallExpression(value) && value.expression.getText().split('.').pop() === 'sequential') {
    const config = value.arguments[0];
    if (!config || !ts.isObjectLiteralExpression(config)) return [];
    const layers = config.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'layers');
    if (layers && ts.isPropertyAssignment(layers) && ts.isArrayLiteralExpression(layers.initializer)) return [...layers.initializer.elements];
    return [];
  }
  return undefined;
}

/** `tf.model({ inputs, outputs })`: a functional model, whose layers are the ones applied. */
function isFunctionalModel(ts: typeof TS, value: TS.Expression): boolean {
  if (!ts.isCallExpression(value) || value.expression.getText().split('.').pop() !== 'model') return false;
  const config = value.arguments[0];
  return !!config && ts.isObjectLiteralExpression(config) && config.properties.some((p) => p.name?.getText() === 'outputs');
}

/** The expressions a function returns (a concise arrow's body, or each `return x`). */
function returnedValues(ts: typeof TS, fn: TS.SignatureDeclaration): TS.Expression[] {
  const body = (fn as { body?: TS.Node }).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body as TS.Expression];
  const out: TS.Expression[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) out.push(node.expression);
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/** What the file exports as its model: the default export, the `model` export, or `module.exports`. */
function modelExports(p: SourceProgram): TS.Expression[] {
  const { ts, source } = p;
  const out: TS.Expression[] = [];
  const exported = (node: TS.Node) => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: TS.Node) => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const st of source.statements) {
    if (ts.isExportAssignment(st)) out.push(st.expression);
    else if (ts.isFunctionDeclaration(st) && exported(st) && (isDefault(st) || st.name?.text === 'model')) out.push(...returnedValues(ts, st));
    else if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) if (d.name.getText(source) === 'model' && d.initializer) out.push(d.initializer);
    } else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.left.getText(source) === 'module.exports') {
      out.push(st.expression.right);
    }
  }
  // `export default () => new Net()`: the model is what the function returns.
  return out.flatMap((e) => {
    const v = unwrap(ts, e);
    return ts.isArrowFunction(v) || ts.isFunctionExpression(v) ? returnedValues(ts, v) : [v];
  });
}

/**
 * Locates every module of the tree in `text`.
 *
 * @param rootType - the root module's class name, e.g. `CustomLinearLayer`
 * @param types - every module path with its class name, from the model snapshot
 */
export function mapModuleSources(fileName: string, text: string, rootType: string, types: ModuleTypes): ModuleLocation[] {
  const p = parseSourceProgram(fileName, text);
  const { ts, source } = p;
  const classes = new Map<string, TS.ClassLikeDeclaration>();
  const collect = (node: TS.Node): void => {
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.name) classes.set(node.name.text, node);
    ts.forEachChild(node, collect);
  };
  collect(source);
  // Each module's direct children in registration order, indexed once (containers look them up by position).
  const childrenOf = new Map<string, string[]>();
  for (const k of types.keys()) {
    if (k === '') continue;
    const parent = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '';
    const siblings = childrenOf.get(parent);
    if (siblings) siblings.push(k);
    else childrenOf.set(parent, [k]);
  }
  const children = (path: string): readonly string[] => childrenOf.get(path) ?? [];
  const out = new Map<string, { definitionLine?: number; callLines: number[]; callEnds: number[] }>();
  const at = (path: string) => {
    let entry = out.get(path);
    if (!entry) out.set(path, (entry = { callLines: [], callEnds: [] }));
    return entry;
  };
  /** Names bound to a module: the first path a name is found at wins (a shared module has one path). */
  const bound = new Map<TS.Symbol, string>();
  const boundPaths = new Set<string>();
  const bind = (symbol: TS.Symbol, path: string) => {
    if (bound.has(symbol)) return;
    bound.set(symbol, path);
    boundPaths.add(path);
  };
  const visitedClasses = new Set<string>();

  const walkClass = (prefix: string, cls: TS.ClassLikeDeclaration, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const facts = classFacts(p, cls);
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

  /** Follows what `value` builds into module `path`: names, containers, functional models, classes. */
  const walkValue = (path: string, value: TS.Expression, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const v = unwrap(ts, value);
    if (ts.isIdentifier(v)) {
      const symbol = p.symbolOf(v);
      const decl = symbol?.valueDeclaration;
      if (!symbol || bound.has(symbol)) return;
      bind(symbol, path);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) {
        if (at(path).definitionLine === undefined) at(path).definitionLine = p.lineOf(decl);
        walkValue(path, decl.initializer, depth + 1);
        walkAdds(path, symbol, depth);
      }
      return;
    }
    if (ts.isCallExpression(v) && ts.isIdentifier(v.expression)) {
      // A builder function of the same file: `const block = makeBlock(4)`.
      const decl = p.symbolOf(v.expression)?.valueDeclaration;
      const fn = decl && ts.isVariableDeclaration(decl) ? decl.initializer : decl;
      if (fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
        for (const r of returnedValues(ts, fn)) walkValue(path, r, depth + 1);
        return;
      }
    }
    const kids = children(path);
    containerElements(ts, v)?.forEach((el, i) => {
      const child = kids[i];
      if (child === undefined) return;
      if (at(child).definitionLine === undefined) at(child).definitionLine = p.lineOf(el);
      walkValue(child, el, depth + 1);
    });
    if (isFunctionalModel(ts, v)) walkApplied(path, depth);
    const cls = classes.get(types.get(path) ?? '');
    if (cls && !visitedClasses.has(`${path}:${cls.name?.text}`)) {
      visitedClasses.add(`${path}:${cls.name?.text}`);
      walkClass(path, cls, depth + 1);
    }
  };

  /** `model.add(layer)` on a `tf.sequential()` held in `symbol`: the next children, in source order. */
  const walkAdds = (path: string, symbol: TS.Symbol, depth: number): void => {
    const adds: TS.Expression[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'add'
        && node.arguments.length === 1 && p.symbolOf(node.expression.expression) === symbol) adds.push(node.arguments[0]);
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (adds.length === 0) return;
    const kids = children(path);
    const listed = containerElements(ts, unwrap(ts, (symbol.valueDeclaration as TS.VariableDeclaration).initializer!))?.length ?? 0;
    adds.forEach((el, i) => {
      const child = kids[listed + i];
      if (child === undefined) return;
      if (at(child).definitionLine === undefined) at(child).definitionLine = p.lineOf(el);
      walkValue(child, el, depth + 1);
    });
  };

  /**
   * A functional model's children are its layers in the order tfjs lists them, which for the
   * graphs people write is the order their `.apply` calls run. Matched only when every layer's
   * type agrees, so a graph in another order maps nothing rather than the wrong thing.
   */
  const walkApplied = (path: string, depth: number): void => {
    const applied: TS.Expression[] = [];
    const seen = new Set<TS.Symbol | TS.Node>();
    // Post-order: in `d2.apply(d1.apply(x))` the inner call runs first.
    const visit = (node: TS.Node): void => {
      ts.forEachChild(node, visit);
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply') {
        const target = node.expression.expression;
        const key = p.symbolOf(target) ?? target;
        if (!seen.has(key)) {
          seen.add(key);
          applied.push(target);
        }
      }
    };
    visit(source);
    const kids = children(path);
    const typeOf = (e: TS.Expression): string | undefined => {
      const u = unwrap(ts, e);
      const decl = ts.isIdentifier(u) ? p.symbolOf(u)?.valueDeclaration : undefined;
      const created = decl && ts.isVariableDeclaration(decl) && decl.initializer ? decl.initializer : u;
      return layerCreation(ts, unwrap(ts, created))?.type;
    };
    if (applied.length !== kids.length || applied.some((e, i) => !sameType(typeOf(e), types.get(kids[i])))) return;
    applied.forEach((e, i) => walkValue(kids[i], e, depth + 1));
  };

  const root = classes.get(rootType);
  if (root) {
    at('').definitionLine = p.lineOf(root);
    visitedClasses.add(`:${rootType}`);
    walkClass('', root, 0);
  }
  for (const e of modelExports(p)) walkValue('', e, 0);
  if (at('').definitionLine === undefined) out.delete('');

  bindRemainingLayers(p, types, bound, boundPaths, (path, line) => {
    if (at(path).definitionLine === undefined) at(path).definitionLine = line;
  }, bind);

  const references = new Map<string, NameRange[]>();
  const visitNames = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) {
      const symbol = p.symbolOf(node);
      const path = symbol && bound.get(symbol);
      if (path !== undefined) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source));
        references.set(path, [...(references.get(path) ?? []), { line: start.line, start: start.character, end: start.character + node.text.length }]);
      }
    }
    ts.forEachChild(node, visitNames);
  };
  visitNames(source);
  for (const path of references.keys()) at(path);
  return [...out].map(([path, e]) => ({ path, ...e, references: references.get(path) ?? [] }));
}

/**
 * Layer variables the walk could not place (built in an order or a helper it does not
 * follow) are matched by what they are: a `name: 'hidden'` option names the module; otherwise
 * the k-th `tf.layers.dense(…)` of the file is the k-th Dense module, when the file creates
 * exactly as many Dense layers as the model has.
 */
function bindRemainingLayers(
  p: SourceProgram, types: ModuleTypes, bound: ReadonlyMap<TS.Symbol, string>, boundPaths: ReadonlySet<string>,
  define: (path: string, line: number) => void, bind: (symbol: TS.Symbol, path: string) => void,
): void {
  const { ts, source } = p;
  const creations: { type: string; name?: string; node: TS.Expression; symbol?: TS.Symbol }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const created = layerCreation(ts, node);
      if (created) {
        const holder = ts.isVariableDeclaration(node.parent) && node.parent.initializer === node ? p.symbolOf(node.parent.name) : undefined;
        creations.push({ ...created, node, symbol: holder });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const paths = [...types.keys()];
  for (const c of creations) {
    if (!c.symbol || bound.has(c.symbol)) continue;
    let path: string | undefined;
    if (c.name !== undefined) {
      const named = paths.filter((k) => k.split('.').pop() === c.name!.replace(/\./g, '_'));
      if (named.length === 1) path = named[0];
    } else {
      const sameKind = creations.filter((o) => sameType(o.type, c.type));
      const modules = paths.filter((k) => sameType(c.type, types.get(k)));
      if (sameKind.length === modules.length) path = modules[sameKind.indexOf(c)];
    }
    if (path === undefined || boundPaths.has(path)) continue;
    bind(c.symbol, path);
    define(path, p.lineOf(c.node));
  }
}
