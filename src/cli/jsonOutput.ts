/**
 * The JSON the CLI prints with `--json`: tensors as `T = {shape, dtype, stats, values?}` and a
 * formatter that keeps number arrays on one line so that shapes and values stay readable.
 */
import * as tf from '@tensorflow/tfjs';
import { summarizeTensor, type TensorStats } from '../adapters/tensorSummary';

/**
 * A tensor in CLI JSON. Statistics that do not exist (min of an empty tensor, std of one
 * value) are `NaN` in memory and `null` in the JSON text.
 */
export interface TensorJson {
  shape: number[];
  dtype: string;
  stats: TensorStats;
  /** The flat values, present when the tensor has at most `--values N` elements. */
  values?: number[];
}

/** A tensor, a nested array/object of them, or `null` (a missing gradient). */
export type ValueJson = TensorJson | null | ValueJson[] | { [key: string]: ValueJson } | number | string | boolean;

/** Summarizes one tensor; `maxValues` is the `--values N` limit. */
export function tensorJson(t: tf.Tensor, maxValues: number): TensorJson {
  // One histogram bin: the CLI prints no histogram, and the bins cost nothing to skip this way.
  const s = summarizeTensor(t, { bins: 1, maxInline: maxValues });
  const out: TensorJson = { shape: s.shape, dtype: s.dtype, stats: s.stats };
  if (s.values !== undefined) {
    out.values = s.values;
  }
  return out;
}

/**
 * Converts a module input/output/gradient to JSON: tensors become {@link TensorJson}, arrays
 * and plain objects keep their structure, `null`/`undefined` become `null`.
 */
export function valueJson(value: unknown, maxValues: number): ValueJson {
  if (value instanceof tf.Tensor) {
    return tensorJson(value, maxValues);
  }
  if (value === null || value === undefined) {
    return null;
  }
  if (Array.isArray(value)) {
    return value.map((v) => valueJson(v, maxValues));
  }
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), valueJson(v, maxValues)]));
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueJson(v, maxValues)]));
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  return String(value);
}

/**
 * `JSON.stringify` with two-space indentation, except that arrays of numbers (shapes, values),
 * `[name, shape]` pairs and records of such plain values stay on one line. `NaN`/`Infinity` print as `null`, like JSON.
 */
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return '[]';
    }
    if (isInline(value)) {
      return JSON.stringify(value);
    }
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      return '{}';
    }
    if (entries.every(([, v]) => isPrimitive(v) || (Array.isArray(v) && v.every(isPrimitive)))) {
      // Small records (a parameter's name/shape/dtype, a stats block) read best on one line.
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${formatJson(v)}`).join(', ')}}`;
    }
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** Number/string arrays, and tuples such as `[name, shape]`, go on one line. */
function isInline(list: unknown[]): boolean {
  return list.every(isPrimitive) ||
    (list.some(isPrimitive) && list.every((v) => isPrimitive(v) || (Array.isArray(v) && v.every(isPrimitive))));
}
