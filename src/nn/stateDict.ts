import * as tf from '@tensorflow/tfjs';
import type { Module } from './module';

/** A state dict to load: a `Map` (as `stateDict()` returns) or a plain record. */
export type StateDictInput = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

/** What `loadStateDict` reports, as PyTorch's `_IncompatibleKeys`. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Copies matching entries of `input` into the parameters and persistent
 * buffers of `root`, following `torch.nn.Module.load_state_dict`: values are
 * copied (the caller keeps ownership of its tensors), keys are dotted paths,
 * shape mismatches always fail, missing/unexpected keys fail only when `strict`.
 */
export function loadStateDictInto(root: Module, input: StateDictInput, strict: boolean): LoadStateDictResult {
  const entries = input instanceof Map ? input : new Map(Object.entries(input));
  const missingKeys: string[] = [];
  const unexpectedKeys: string[] = [];
  const errors: string[] = [];
  const expected = new Set<string>();
  const copies: (() => void)[] = [];

  for (const [prefix, m] of root.namedModules()) {
    const slots: [string, tf.Tensor, 'param' | 'buffer'][] = [];
    for (const [name, p] of m._parameters) if (p) slots.push([name, p, 'param']);
    for (const [name, b] of m._buffers) if (b && !m.isNonPersistentBuffer(name)) slots.push([name, b, 'buffer']);
    for (const [name, current, kind] of slots) {
      const key = prefix ? `${prefix}.${name}` : name;
      expected.add(key);
      const value = entries.get(key);
      if (value === undefined) { missingKeys.push(key); continue; }
      if (!(value instanceof tf.Tensor)) { errors.push(`While copying the parameter named "${key}", expected a tf.Tensor, got ${typeof value}.`); continue; }
      if (!tf.util.arraysEqual(value.shape, current.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${shapeText(value.shape)} from checkpoint, the shape in current model is ${shapeText(current.shape)}.`);
        continue;
      }
      copies.push(() => copyInto(m, name, current, value, kind));
    }
  }
  for (const key of entries.keys()) if (!expected.has(key)) unexpectedKeys.push(key);

  if (strict) {
    if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
  }
  if (errors.length) {
    throw new Error(`Error(s) in loading state_dict for ${root.typeName}:\n\t${errors.join('\n\t')}`);
  }
  for (const copy of copies) copy();
  return { missingKeys, unexpectedKeys };
}

function copyInto(m: Module, name: string, current: tf.Tensor, value: tf.Tensor, kind: 'param' | 'buffer'): void {
  if (current instanceof tf.Variable) {
    tf.tidy(() => current.assign(value.dtype === current.dtype ? value : value.cast(current.dtype)));
    return;
  }
  // A plain-tensor buffer: replace it with an owned copy, as `copy_` writes in place.
  const copy = tf.tidy(() => (value.dtype === current.dtype ? value.clone() : value.cast(current.dtype)));
  m._buffers.set(name, tf.keep(copy));
  if (kind === 'buffer' && !current.isDisposed) current.dispose();
}
