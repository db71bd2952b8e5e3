/**
 * The `nn.Module` subclasses of a model file and its model export, found with
 * the TypeScript compiler API: where CodeLenses go, and which class a
 * `this.name` under the cursor belongs to.
 */
import type * as TS from 'typescript';

/** A class that extends a Module (`extends nn.Module`, or another such class of the file). */
export interface ModuleClass {
  readonly name: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/** A `this.name` reference: its member name, its class and its range. */
export interface MemberReference {
  readonly member: string;
  readonly className: string;
  readonly line: number;
  readonly startCharacter: number;
  readonly endCharacter: number;
}

export interface ModelFileOutline {
  readonly classes: readonly ModuleClass[];
  /** Line of `export default …` or `export const/function model`, if any. */
  readonly exportLine?: number;
  readonly members: readonly MemberReference[];
}

export function outlineModelFile(fileName: string, text: string): ModelFileOutline {
  const ts = require('typescript') as typeof TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const lineOf = (n: TS.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line;
  const all = new Map<string, { node: TS.ClassLikeDeclaration; base?: string }>();
  let exportLine: number | undefined;
  const members: MemberReference[] = [];
  const visit = (node: TS.Node, cls?: string): void => {
    let current = cls;
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.name) {
      const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(source);
      all.set(node.name.text, { node, base });
      current = node.name.text;
    }
    if (ts.isExportAssignment(node)) exportLine = lineOf(node);
    if ((ts.isFunctionDeclaration(node) || ts.isVariableStatement(node)) && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const isDefault = node.modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      const names = ts.isFunctionDeclaration(node) ? [node.name?.text] : node.declarationList.declarations.map((d) => d.name.getText(source));
      if (isDefault || names.includes('model')) exportLine = lineOf(node);
    }
    if (current && ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source));
      const end = source.getLineAndCharacterOfPosition(node.getEnd());
      members.push({ member: node.name.text, className: current, line: start.line, startCharacter: start.character, endCharacter: end.character });
    }
    ts.forEachChild(node, (child) => visit(child, current));
  };
  visit(source);
  const isModule = (name: string, seen = new Set<string>()): boolean => {
    const c = all.get(name);
    if (!c?.base || seen.has(name)) return false;
    seen.add(name);
    return /(^|\.)Module$/.test(c.base) || isModule(c.base.split('.').pop()!, seen);
  };
  const classes = [...all].filter(([name]) => isModule(name)).map(([name, { node }]) => ({
    name, line: lineOf(node), start: node.getStart(source), end: node.getEnd(),
  }));
  return { classes, exportLine, members };
}
