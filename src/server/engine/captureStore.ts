/**
 * Captured tensors the user can still page through, kept within a byte budget,
 * oldest first out. The worker owns every tensor here: `clear()` and eviction
 * dispose them, so `tf.memory()` returns to its baseline.
 */
import * as tf from '@tensorflow/tfjs';
import { summarizeTensor, type TensorSummary } from '../../adapters/tensorSummary';
import type { CapturedTensor, TensorSummaryJson } from '../../protocol';

const BYTES_PER_ELEMENT: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Our summary as JSON: NaN (no finite values) becomes `null`, which JSON can carry. */
export function summaryJson(s: TensorSummary): TensorSummaryJson {
  const n = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const { stats, histogram } = s;
  return {
    shape: s.shape,
    dtype: s.dtype,
    size: s.size,
    stats: { min: n(stats.min), max: n(stats.max), mean: n(stats.mean), std: n(stats.std), nan: stats.nan, inf: stats.inf, zeros: stats.zeros },
    histogram: Number.isFinite(histogram.min) ? { min: histogram.min, max: histogram.max, counts: histogram.counts } : null,
    ...(s.values ? { values: s.values } : {}),
  };
}

/** Options of the store, from the `moduleLens.capture.*` settings. */
export interface CaptureStoreOptions {
  maxBytes: number;
  maxInline: number;
  bins: number;
}

export class CaptureStore {
  private readonly kept = new Map<string, { tensor: tf.Tensor; bytes: number; summary: TensorSummaryJson }>();
  private bytes = 0;
  private next = 1;

  constructor(private readonly options: CaptureStoreOptions) {}

  /** Summarizes `t` (one read) and keeps a reference for later range reads. */
  capture(slot: string, t: unknown): CapturedTensor {
    if (!(t instanceof tf.Tensor) || t.isDisposed) return { slot, tensorId: null, summary: null };
    const summary = this.summarize(t);
    const bytes = t.size * (BYTES_PER_ELEMENT[t.dtype] ?? 4);
    if (bytes > this.options.maxBytes) return { slot, tensorId: null, summary };
    while (this.bytes + bytes > this.options.maxBytes) this.evictOldest();
    const tensorId = `t${this.next++}`;
    // A clone shares storage; keeping it survives the run's tidy scope.
    this.kept.set(tensorId, { tensor: tf.keep(t.clone()), bytes, summary });
    this.bytes += bytes;
    return { slot, tensorId, summary };
  }

  /** Summary of any live tensor, with the store's options. */
  summarize(t: tf.Tensor): TensorSummaryJson {
    return summaryJson(summarizeTensor(t, { bins: this.options.bins, maxInline: this.options.maxInline }));
  }

  /** The kept tensor, or `undefined` when it was evicted or cleared. */
  get(tensorId: string): { tensor: tf.Tensor; summary: TensorSummaryJson } | undefined {
    return this.kept.get(tensorId);
  }

  /** Releases the given tensors (the client no longer shows them); returns how many were kept. */
  release(tensorIds: readonly string[]): number {
    let n = 0;
    for (const id of tensorIds) {
      const entry = this.kept.get(id);
      if (!entry) continue;
      entry.tensor.dispose();
      this.bytes -= entry.bytes;
      this.kept.delete(id);
      n++;
    }
    return n;
  }

  /** Releases every kept tensor; returns how many. */
  clear(): number {
    const n = this.kept.size;
    for (const { tensor } of this.kept.values()) tensor.dispose();
    this.kept.clear();
    this.bytes = 0;
    return n;
  }

  get count(): number {
    return this.kept.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  private evictOldest(): void {
    const first = this.kept.entries().next();
    if (first.done) return;
    const [id, entry] = first.value;
    entry.tensor.dispose();
    this.bytes -= entry.bytes;
    this.kept.delete(id);
  }
}

/** Values `[start, end)` of `t` flattened, read with one slice. */
export function readRange(t: tf.Tensor, start: number, end: number): number[] {
  const s = Math.min(Math.max(0, start), t.size);
  const e = Math.min(Math.max(s, end), t.size);
  if (e === s) return [];
  return Array.from(tf.tidy(() => t.reshape([-1]).slice(s, e - s).dataSync()));
}
