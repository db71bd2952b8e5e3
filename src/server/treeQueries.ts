/**
 * Serves the module tree from the latest {@link ModelSnapshot}, on the main
 * thread, so the tree answers even while the worker is computing or paused.
 * A module's rows are its child modules in registration order, then its
 * non-empty "Parameters (n)" and "Buffers (n)" groups (as the sidebar shows them).
 */
import {
  DEFAULT_PAGE_SIZE, MAX_MODE_MISMATCH_PATHS, ServerErrorCodes,
  type BufferNode, type GetChildrenResult, type ModeMismatch, type ModuleListing, type NodeInfo, type ParameterNode, type TensorGroup,
} from '../protocol';
import { ServerError } from './serverError';
import type { ModelSnapshot, ModuleSnapshot, TensorStatsPatch } from './workerProtocol';

/** A snapshot with its modules indexed by dotted path. */
export interface IndexedSnapshot {
  readonly snapshot: ModelSnapshot;
  readonly byPath: ReadonlyMap<string, ModuleSnapshot>;
  /** Modules whose train/eval mode differs from the root's, if any. */
  readonly modeMismatch?: ModeMismatch;
}

/** Indexes a snapshot by path (once per snapshot, not per request). */
export function indexSnapshot(snapshot: ModelSnapshot): IndexedSnapshot {
  return { snapshot, byPath: new Map(snapshot.modules.map((m) => [m.node.path, m])), modeMismatch: modeMismatch(snapshot) };
}

/**
 * The snapshot with fresh tensor statistics from a run. Modules and nodes without a
 * patched tensor are shared with the old snapshot; the structure is not touched.
 */
export function withStats(model: IndexedSnapshot, patches: readonly TensorStatsPatch[]): IndexedSnapshot {
  const byName = new Map(patches.map((p) => [p.path, p]));
  const patch = <T extends ParameterNode | BufferNode>(node: T): T => {
    const p = byName.get(node.path);
    if (!p) return node;
    const { grad: _old, ...rest } = node as T & { grad?: unknown };
    return { ...rest, stats: p.stats, ...(p.grad && node.kind === 'parameter' ? { grad: p.grad } : {}) } as T;
  };
  const modules = model.snapshot.modules.map((m) => (m.parameters.length === 0 && m.buffers.length === 0 ? m
    : { ...m, parameters: m.parameters.map(patch), buffers: m.buffers.map(patch) }));
  const snapshot = { ...model.snapshot, modules };
  return { snapshot, byPath: new Map(modules.map((m) => [m.node.path, m])), modeMismatch: model.modeMismatch };
}

/** The modules in the other mode than the root: the mixed train/eval state that silently changes results. */
export function modeMismatch(snapshot: ModelSnapshot): ModeMismatch | undefined {
  const root = snapshot.modules[0]?.node;
  if (!root) return undefined;
  const paths: string[] = [];
  let count = 0;
  for (const m of snapshot.modules) {
    if (m.node.training === root.training) continue;
    count++;
    if (paths.length < MAX_MODE_MISMATCH_PATHS) paths.push(m.node.path);
  }
  return count > 0 ? { count, paths } : undefined;
}

/** Every module of the model, flat, in tree order; with their tensors when asked. */
export function listModules(model: IndexedSnapshot, tensors: boolean): ModuleListing[] {
  return model.snapshot.modules.map(({ node, parameters, buffers }) => (tensors
    ? { path: node.path, type: node.type, training: node.training, parameters, buffers }
    : { path: node.path, type: node.type, training: node.training }));
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/**
 * The module at `path`.
 *
 * @throws ServerError `moduleNotFound`
 */
export function findModuleSnapshot(model: IndexedSnapshot, path: string): ModuleSnapshot {
  const m = model.byPath.get(path);
  if (!m) throw new ServerError(ServerErrorCodes.moduleNotFound, `model ${model.snapshot.modelId} has no module "${path}"`);
  return m;
}

/**
 * One page of the rows under a module, or of one of its tensor groups.
 *
 * @throws ServerError `moduleNotFound` when `path` names no module
 */
export function listChildren(
  model: IndexedSnapshot, path: string, group?: TensorGroup, offset = 0, limit = DEFAULT_PAGE_SIZE,
): GetChildrenResult {
  const m = findModuleSnapshot(model, path);
  if (group) {
    const tensors: readonly NodeInfo[] = group === 'parameters' ? m.parameters : m.buffers;
    return { items: tensors.slice(offset, offset + limit), total: tensors.length };
  }
  const modelId = model.snapshot.modelId;
  const groups: NodeInfo[] = [];
  if (m.parameters.length > 0) groups.push({ kind: 'group', modelId, path, group: 'parameters', count: m.parameters.length });
  if (m.buffers.length > 0) groups.push({ kind: 'group', modelId, path, group: 'buffers', count: m.buffers.length });
  const total = m.children.length + groups.length;
  const items: NodeInfo[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) {
    if (i < m.children.length) {
      const child = model.byPath.get(join(path, m.children[i]));
      if (child) items.push(child.node);
    } else {
      items.push(groups[i - m.children.length]);
    }
  }
  return { items, total };
}
