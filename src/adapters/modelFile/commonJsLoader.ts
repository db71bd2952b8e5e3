/**
 * A private CommonJS loader for model files: TypeScript and ESM are transpiled in-process with
 * sucrase into CommonJS and evaluated as node `Module`s that never enter node's require cache.
 *
 * Private because model files must see the runtime's own engine and tfjs (aliases below): a
 * second tfjs instance would own its own tensors and backends, and its tensors cannot meet ours.
 * Uncached so that loading the same file again (after an edit) evaluates it afresh.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import NodeModule from 'node:module';
import { transform } from 'sucrase';

/** Extensions whose files are transpiled and evaluated by this loader. */
export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** TypeScript's ESM convention imports `./x.js` for `./x.ts`; these are the swaps tried. */
const EXTENSION_SWAPS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** Bare specifiers answered with a value instead of node's resolution. */
export type Aliases = Readonly<Record<string, () => unknown>>;

/** The parts of node's `Module` the loader uses that `@types/node` leaves out. */
interface InternalModule extends NodeModule {
  _compile(code: string, filename: string): unknown;
}
type ModuleStatics = typeof NodeModule & { _nodeModulePaths(dir: string): string[] };

/**
 * Evaluates `entry` and returns its `module.exports`.
 *
 * Relative and absolute imports of source files load through this loader too (so helpers may be
 * TypeScript and may import `module-lens`); everything else goes to node's `require` from the
 * importing file's folder. Throws whatever the file throws, or sucrase's `SyntaxError`.
 */
export function loadCommonJs(entry: string, aliases: Aliases): unknown {
  const cache = new Map<string, NodeModule>();

  const load = (filename: string, parent: NodeModule | undefined): NodeModule => {
    const cached = cache.get(filename);
    if (cached) {
      // A cycle or a helper shared by two files: same instance, as with node's own cache.
      return cached;
    }
    const mod = new NodeModule(filename, parent) as InternalModule;
    mod.filename = filename;
    mod.paths = (NodeModule as ModuleStatics)._nodeModulePaths(path.dirname(filename));
    const nodeRequire = NodeModule.createRequire(filename);
    // `_compile` builds the file's `require` as `(id) => mod.require(id)`, so this is what the file calls.
    mod.require = ((id: string) => {
      const alias = Object.prototype.hasOwnProperty.call(aliases, id) ? aliases[id] : undefined;
      if (alias) {
        return alias();
      }
      if (!isPathSpecifier(id)) {
        return nodeRequire(id);
      }
      const resolved = resolveLocal(id, path.dirname(filename));
      if (resolved === null) {
        const err = new Error(`Cannot find module '${id}' imported from ${filename}`) as NodeJS.ErrnoException;
        err.code = 'MODULE_NOT_FOUND';
        throw err;
      }
      return SOURCE_EXTENSIONS.includes(path.extname(resolved)) ? load(resolved, mod).exports : nodeRequire(resolved);
    }) as NodeJS.Require;
    cache.set(filename, mod);
    mod._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
    mod.loaded = true;
    return mod;
  };

  return load(path.resolve(entry), undefined).exports;
}

/**
 * Turns TypeScript and ESM into CommonJS. Sucrase keeps line numbers, so stack traces point at
 * the user's lines without source maps; its class-field transform assigns fields in the
 * constructor, matching the project's `useDefineForClassFields: false`.
 */
export function transpile(code: string, filename: string): string {
  const transforms: Array<'typescript' | 'imports'> = TYPESCRIPT_EXTENSIONS.has(path.extname(filename))
    ? ['typescript', 'imports']
    : ['imports'];
  return transform(code, { transforms, filePath: filename, production: true }).code;
}

function isPathSpecifier(id: string): boolean {
  return id.startsWith('./') || id.startsWith('../') || id === '.' || id === '..' || path.isAbsolute(id);
}

/** Node's file resolution, plus TypeScript's extensions and its `.js` → `.ts` convention. */
function resolveLocal(id: string, fromDir: string): string | null {
  const base = path.resolve(fromDir, id);
  const ext = path.extname(base);
  const candidates = [
    base,
    ...(EXTENSION_SWAPS[ext] ?? []).map((swap) => base.slice(0, -ext.length) + swap),
    ...[...SOURCE_EXTENSIONS, '.json'].map((e) => base + e),
    ...SOURCE_EXTENSIONS.map((e) => path.join(base, `index${e}`)),
  ];
  return candidates.find(isFile) ?? null;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
