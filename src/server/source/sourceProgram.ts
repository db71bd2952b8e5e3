/**
 * One model file parsed with a type checker of its own, so that a name like
 * `fc` in `new nn.Sequential(fc, act)` resolves to the `const fc = …` in its
 * scope (shadowing and all), without reading any other file: imports stay
 * unresolved and no standard library is loaded, which keeps it fast.
 */
import type * as TS from 'typescript';

/** The parsed file and what its names stand for. */
export interface SourceProgram {
  readonly ts: typeof TS;
  readonly source: TS.SourceFile;
  /** The symbol a name refers to, or `undefined` for globals, imports' members and the like. */
  symbolOf(node: TS.Node): TS.Symbol | undefined;
  /** 0-based line where `node` starts. */
  lineOf(node: TS.Node): number;
}

/** Bundles ship typescript.js next to themselves; compiled sources find it in node_modules. */
export function loadTypeScript(): typeof TS {
  return require('typescript') as typeof TS;
}

/** Parses `text` as `fileName` (its extension decides TS or JS) and binds its names. */
export function parseSourceProgram(fileName: string, text: string): SourceProgram {
  const ts = loadTypeScript();
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const options: TS.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, types: [], target: ts.ScriptTarget.Latest };
  const host: TS.CompilerHost = {
    getSourceFile: (name) => (name === fileName ? source : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === fileName,
    readFile: (name) => (name === fileName ? text : undefined),
  };
  const checker = ts.createProgram({ rootNames: [fileName], options, host }).getTypeChecker();
  return {
    ts,
    source,
    symbolOf: (node) => checker.getSymbolAtLocation(node),
    lineOf: (node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line,
  };
}
