/**
 * Builds protocol tree nodes from a live `nn.Module`. Read-only: nothing here
 * changes a module or creates tensors.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn';
import {
  DEFAULT_PAGE_SIZE, ServerErrorCodes,
  type GetChildrenResult, type ModuleNode, type NodeInfo, type TensorGroup,
} from '../protocol';
import { ServerError } from './serverError';

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function nonNull<T>(map: Map<string, T | null>): Array<[string, T]> {
  // `register_parameter('bias', None)` leaves a null entry; PyTorch's listings skip it.
  return [...map].filter((e): e is [string, T] => e[1] !== null);
}

/** `Type(extra_repr)` on one line, whatever `extraRepr()` returns. */
export function reprLine(m: Module): string {
  return `${m.typeName}(${m.extraRepr().split('\n').map((s) => s.trim()).filter(Boolean).join(', ')})`;
}

/** The tree node for the module at `path`. */
export function moduleNode(modelId: string, path: string, m: Module): ModuleNode {
  const own = nonNull(m._parameters);
  let totalParams = 0;
  for (const p of m.parameters()) totalParams += p.size;
  return {
    kind: 'module',
    modelId,
    path,
    name: path.slice(path.lastIndexOf('.') + 1),
    type: m.typeName,
    training: m.training,
    ownParams: own.reduce((n, [, p]) => n + p.size, 0),
    totalParams,
    numBuffers: nonNull(m._buffers).length,
    numParams: own.length,
    childCount: nonNull(m._modules).length,
    repr: reprLine(m),
  };
}

/**
 * The module at a dotted path.
 *
 * @throws ServerError `moduleNotFound` naming the path
 */
export function findModule(modelId: string, root: Module, path: string): Module {
  let m = root;
  for (const name of path === '' ? [] : path.split('.')) {
    const child = m._modules.get(name);
    if (!child) throw new ServerError(ServerErrorCodes.moduleNotFound, `model ${modelId} has no module "${path}"`);
    m = child;
  }
  return m;
}

/** A child row before its node is built, so that paging builds only the rows it returns. */
type Entry = () => NodeInfo;

function groupEntries(modelId: string, path: string, m: Module): Entry[] {
  const entries: Entry[] = [];
  const params = nonNull(m._parameters).length;
  const buffers = nonNull(m._buffers).length;
  if (params > 0) entries.push(() => ({ kind: 'group', modelId, path, group: 'parameters', count: params }));
  if (buffers > 0) entries.push(() => ({ kind: 'group', modelId, path, group: 'buffers', count: buffers }));
  return entries;
}

function tensorEntries(modelId: string, path: string, m: Module, group: TensorGroup): Entry[] {
  if (group === 'parameters') {
    return nonNull(m._parameters).map(([name, p]) => () => ({
      kind: 'parameter', modelId, path: join(path, name), name, shape: [...p.shape], dtype: p.dtype, requiresGrad: p.requiresGrad,
    }));
  }
  return nonNull<tf.Tensor>(m._buffers).map(([name, b]) => () => ({
    kind: 'buffer', modelId, path: join(path, name), name, shape: [...b.shape], dtype: b.dtype, persistent: !m.isNonPersistentBuffer(name),
  }));
}

/**
 * One page of the rows under a module: its non-empty "Parameters"/"Buffers"
 * groups then its child modules, or, with `group`, that group's tensors.
 *
 * @throws ServerError `moduleNotFound` when `path` names no module
 */
export function listChildren(
  modelId: string, root: Module, path: string, group?: TensorGroup, offset = 0, limit = DEFAULT_PAGE_SIZE,
): GetChildrenResult {
  const m = findModule(modelId, root, path);
  const entries: Entry[] = group
    ? tensorEntries(modelId, path, m, group)
    : [...groupEntries(modelId, path, m), ...nonNull(m._modules).map(([name, child]) => () => moduleNode(modelId, join(path, name), child))];
  return { items: entries.slice(offset, offset + limit).map((build) => build()), total: entries.length };
}

/**
 * Sets `training` on the module at `path`, and on all its descendants when
 * `recursive` (what PyTorch's `train()` does).
 *
 * @returns how many modules changed their flag
 */
export function setTraining(modelId: string, root: Module, path: string, mode: boolean, recursive: boolean): number {
  const target = findModule(modelId, root, path);
  const targets = recursive ? [...target.modules()] : [target];
  const changed = targets.filter((m) => m.training !== mode).length;
  if (recursive) target.train(mode);
  else target.training = mode;
  return changed;
}
