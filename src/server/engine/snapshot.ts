/**
 * Builds a {@link ModelSnapshot} from a live module tree. Read-only: creates
 * no tensors and changes nothing.
 */
import type { Module } from '../../nn';
import type { BufferNode, ModuleNode, ParameterNode } from '../../protocol';
import type { ModelSnapshot, ModuleSnapshot } from '../workerProtocol';

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function nonNull<T>(map: Map<string, T | null>): [string, T][] {
  // `register_parameter('bias', None)` leaves a null entry; PyTorch's listings skip it.
  return [...map].filter((e): e is [string, T] => e[1] !== null);
}

/** `Type(extra_repr)` on one line, whatever `extraRepr()` returns. */
export function reprLine(m: Module): string {
  return `${m.typeName}(${m.extraRepr().split('\n').map((s) => s.trim()).filter(Boolean).join(', ')})`;
}

/** The tree row of one module. `totals` caches subtree parameter counts across a snapshot. */
export function moduleNode(modelId: string, path: string, m: Module, totals?: Map<Module, number>): ModuleNode {
  const own = nonNull(m._parameters);
  return {
    kind: 'module',
    modelId,
    path,
    name: path.slice(path.lastIndexOf('.') + 1),
    type: m.typeName,
    training: m.training,
    ownParams: own.reduce((n, [, p]) => n + p.size, 0),
    totalParams: totalParams(m, totals ?? new Map()),
    numBuffers: nonNull(m._buffers).length,
    numParams: own.length,
    childCount: nonNull(m._modules).length,
    repr: reprLine(m),
  };
}

function totalParams(m: Module, totals: Map<Module, number>): number {
  const cached = totals.get(m);
  if (cached !== undefined) return cached;
  let n = 0;
  for (const p of m.parameters()) n += p.size;
  totals.set(m, n);
  return n;
}

/** Snapshot of a whole model. */
export function snapshotModel(modelId: string, file: string, root: Module): ModelSnapshot {
  const modules: ModuleSnapshot[] = [];
  const totals = new Map<Module, number>();
  const visiting = new Set<Module>();
  const visit = (path: string, m: Module): void => {
    if (visiting.has(m)) return; // a module that contains itself
    visiting.add(m);
    const parameters: ParameterNode[] = nonNull(m._parameters).map(([name, p]) => ({
      kind: 'parameter', modelId, path: join(path, name), name, shape: [...p.shape], dtype: p.dtype, requiresGrad: p.requiresGrad,
    }));
    const buffers: BufferNode[] = nonNull(m._buffers).map(([name, b]) => ({
      kind: 'buffer', modelId, path: join(path, name), name, shape: [...b.shape], dtype: b.dtype, persistent: !m.isNonPersistentBuffer(name),
    }));
    const children = nonNull(m._modules);
    modules.push({ node: moduleNode(modelId, path, m, totals), children: children.map(([n]) => n), parameters, buffers });
    for (const [name, child] of children) visit(join(path, name), child);
    visiting.delete(m);
  };
  visit('', root);
  return { modelId, file, rootType: root.typeName, repr: root.toString(), modules };
}

/** The module at a dotted path, or `undefined`. */
export function findModule(root: Module, path: string): Module | undefined {
  let m: Module | undefined = root;
  for (const name of path === '' ? [] : path.split('.')) {
    m = m._modules.get(name) ?? undefined;
    if (!m) return undefined;
  }
  return m;
}
