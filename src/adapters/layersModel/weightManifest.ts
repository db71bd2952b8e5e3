import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';

/** One group of the manifest: shard file names and the weights stored across them. */
export interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Refused before any allocation: larger than any model a debugger has business opening. */
export const MAX_WEIGHT_ELEMENTS = 2 ** 31 - 1;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a manifest entry occupies in its shard, quantized or not. */
export function entryBytes(entry: tf.io.WeightsManifestEntry): number {
  const stored = entry.quantization?.dtype ?? entry.dtype;
  const per = BYTES[stored];
  if (per === undefined) throw new Error(`weight '${entry.name}' has unsupported dtype '${String(stored)}'`);
  return elementCount(entry) * per;
}

/** Element count of a manifest entry, checked before anything is allocated. */
export function elementCount(entry: tf.io.WeightsManifestEntry): number {
  if (!Array.isArray(entry.shape) || entry.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`weight '${entry.name}' has an invalid shape ${JSON.stringify(entry.shape)}`);
  }
  const n = entry.shape.reduce((a, b) => a * b, 1);
  if (n > MAX_WEIGHT_ELEMENTS) {
    throw new Error(`weight '${entry.name}' declares ${n.toExponential(2)} elements (shape [${entry.shape.join(', ')}]), above the limit of ${MAX_WEIGHT_ELEMENTS}`);
  }
  return n;
}

/**
 * Checks the manifest's shape and resolves each shard path inside `dir`.
 * Absolute paths and paths that climb out of the model's folder are refused:
 * a downloaded model.json must not read other files on the machine.
 */
export function parseManifest(manifest: unknown, dir: string): { groups: ManifestGroup[]; shardFiles: string[][] } {
  if (!Array.isArray(manifest)) throw new Error('weightsManifest must be an array');
  const groups: ManifestGroup[] = [];
  const shardFiles: string[][] = [];
  manifest.forEach((g, gi) => {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new Error(`weightsManifest[${gi}] needs "paths" and "weights" arrays`);
    }
    const files = (g.paths as unknown[]).map((p) => {
      if (typeof p !== 'string' || p === '') throw new Error(`weightsManifest[${gi}] has a weight path that is not a file name`);
      if (path.isAbsolute(p) || /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\')) {
        throw new Error(`weight path '${p}' is absolute; paths must be relative to model.json`);
      }
      const resolved = path.resolve(dir, p);
      if (path.relative(dir, resolved).startsWith('..') || p.split(/[\\/]/).includes('..')) {
        throw new Error(`weight path '${p}' leaves the model's folder`);
      }
      return resolved;
    });
    for (const w of g.weights as tf.io.WeightsManifestEntry[]) {
      if (!w || typeof w.name !== 'string') throw new Error(`weightsManifest[${gi}] has a weight without a name`);
      entryBytes(w);
    }
    groups.push({ paths: g.paths as string[], weights: g.weights as tf.io.WeightsManifestEntry[] });
    shardFiles.push(files);
  });
  return { groups, shardFiles };
}
