/**
 * Builds a {@link ModelSnapshot} from a live module tree. Read-only: creates
 * no tensors and changes nothing. With `stats`, every parameter, buffer and
 * gradient is summarized (one read each, each shared tensor once), so the tree
 * can show values after a run without asking the worker.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../adapters/modelFile';
import { summarizeTensor } from '../../adapters/tensorSummary';
import type { Module, Parameter } from '../../nn';
import type { BufferNode, ModelInputInfo, ModuleNode, ParameterNode, TensorStats } from '../../protocol';
import type { ModelSnapshot, ModuleSnapshot, TensorStatsPatch } from '../workerProtocol';

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

/**
 * Statistics of a tensor's values, read once: min/max/mean/std over the finite values
 * (`null` when there are none), and the NaN, Inf and zero counts.
 */
export function tensorStats(t: tf.Tensor): TensorStats {
  const { stats } = summarizeTensor(t, { bins: 1, maxInline: 0 });
  const n = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return { min: n(stats.min), max: n(stats.max), mean: n(stats.mean), std: n(stats.std), nan: stats.nan, inf: stats.inf, zeros: stats.zeros };
}

/** How a snapshot is taken. */
export interface SnapshotOptions {
  /** Summarize every parameter, buffer and gradient (after a run). */
  readonly stats?: boolean;
  /** What a run can feed the model, carried along unchanged. */
  readonly input?: ModelInputInfo;
}

/** Snapshot of a whole model. */
export function snapshotModel(modelId: string, file: string, root: Module, options: SnapshotOptions = {}): ModelSnapshot {
  const modules: ModuleSnapshot[] = [];
  const totals = new Map<Module, number>();
  const visiting = new Set<Module>();
  // A tensor shared by several modules is read once.
  const cache = new Map<tf.Tensor, TensorStats>();
  const statsOf = (t: tf.Tensor | null | undefined): TensorStats | undefined => {
    if (!options.stats || !t || t.isDisposed) return undefined;
    let s = cache.get(t);
    if (!s) cache.set(t, s = tensorStats(t));
    return s;
  };
  const visit = (path: string, m: Module): void => {
    if (visiting.has(m)) return; // a module that contains itself
    visiting.add(m);
    const parameters: ParameterNode[] = nonNull(m._parameters).map(([name, p]: [string, Parameter]) => {
      const node: ParameterNode = {
        kind: 'parameter', modelId, path: join(path, name), name, shape: [...p.shape], dtype: p.dtype, requiresGrad: p.requiresGrad,
      };
      const stats = statsOf(p);
      const grad = statsOf(p.grad);
      return stats ? { ...node, stats, ...(grad ? { grad } : {}) } : node;
    });
    const buffers: BufferNode[] = nonNull(m._buffers).map(([name, b]) => {
      const node: BufferNode = {
        kind: 'buffer', modelId, path: join(path, name), name, shape: [...b.shape], dtype: b.dtype, persistent: !m.isNonPersistentBuffer(name),
      };
      const stats = statsOf(b);
      return stats ? { ...node, stats } : node;
    });
    const children = nonNull(m._modules);
    modules.push({ node: moduleNode(modelId, path, m, totals), children: children.map(([n]) => n), parameters, buffers });
    for (const [name, child] of children) visit(join(path, name), child);
    visiting.delete(m);
  };
  visit('', root);
  return { modelId, file, rootType: root.typeName, repr: root.toString(), ...(options.input ? { input: options.input } : {}), modules };
}

/**
 * Statistics of every parameter, buffer and gradient of a model, by dotted name: what a run
 * changes, sent instead of a whole snapshot (the structure is unchanged by a run). Each shared
 * tensor is read once.
 */
export function statsPatch(root: Module): TensorStatsPatch[] {
  const out: TensorStatsPatch[] = [];
  const cache = new Map<tf.Tensor, TensorStats>();
  const statsOf = (t: tf.Tensor): TensorStats => {
    let s = cache.get(t);
    if (!s) cache.set(t, s = tensorStats(t));
    return s;
  };
  const visiting = new Set<Module>();
  const visit = (path: string, m: Module): void => {
    if (visiting.has(m)) return;
    visiting.add(m);
    for (const [name, p] of nonNull(m._parameters)) {
      if (p.isDisposed) continue;
      const grad = p.grad && !p.grad.isDisposed ? statsOf(p.grad) : undefined;
      out.push({ path: join(path, name), stats: statsOf(p), ...(grad ? { grad } : {}) });
    }
    for (const [name, b] of nonNull(m._buffers)) if (!b.isDisposed) out.push({ path: join(path, name), stats: statsOf(b) });
    for (const [name, child] of nonNull(m._modules)) visit(join(path, name), child);
    visiting.delete(m);
  };
  visit('', root);
  return out;
}

/** Spatial size assumed for a convolution's input when nothing says otherwise. */
const DEFAULT_SPATIAL = 32;

/**
 * What a run can feed a loaded model: its `input()` export, and shapes for a random input
 * with a batch of one: a layers model's declared inputs, or, for an `nn` model, what the
 * first module with parameters of its own takes when that module is a `Linear` or a `Conv`.
 */
export function inputInfo(loaded: LoadedModel): ModelInputInfo {
  const exported = loaded.hasInputExport;
  if (loaded.layersModel) {
    const shapes = loaded.layersModel.inputs.map((s) => s.shape.map((d) => d ?? 1));
    return { exported, shapes, basis: `the input shape${shapes.length === 1 ? '' : 's'} the layers model declares` };
  }
  for (const [path, m] of loaded.model.namedModules()) {
    if (nonNull(m._parameters).length === 0) continue;
    const layer = m as Module & { in_features?: number; in_channels?: number };
    const shape = m.typeName === 'Linear' ? [1, layer.in_features!]
      : m.typeName === 'Conv1d' ? [1, layer.in_channels!, DEFAULT_SPATIAL]
        : m.typeName === 'Conv2d' ? [1, layer.in_channels!, DEFAULT_SPATIAL, DEFAULT_SPATIAL]
          : undefined;
    if (!shape || !shape.every((d) => Number.isInteger(d) && d > 0)) break;
    return { exported, shapes: [shape], basis: `${path === '' ? 'the root' : path}: ${reprLine(m)}` };
  }
  return { exported, shapes: [] };
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
