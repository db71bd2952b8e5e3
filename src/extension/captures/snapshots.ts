/**
 * Tensors the Captures panel shows outside its event list ("Show in Panel" on a
 * parameter or buffer, or a captured tensor whose event the panel's log does
 * not hold). Taking a snapshot reads the tensor from the model server once and,
 * up to {@link SNAPSHOT_COPY_ELEMENTS}, keeps a copy of its values, so the card
 * shows the value as it was when asked for even after later runs change it.
 * Plain TypeScript (no `vscode`), unit-tested in Node.
 */
import { MAX_TENSOR_PAGE, type GetTensorParams, type TensorSnapshot } from '../../protocol';
import type { TensorReader } from './tensorValues';

/** Most elements copied into a snapshot (16 MiB of float32); larger tensors are read from the server when shown. */
export const SNAPSHOT_COPY_ELEMENTS = 4 * 1024 * 1024;

/** Where a snapshot's values come from: a parameter/buffer by state-dict name, or a captured tensor. */
export type SnapshotSource = { readonly modelId: string; readonly name: string } | { readonly tensorId: string };

interface Held {
  readonly snapshot: TensorSnapshot;
  readonly source: SnapshotSource;
  /** The values as they were when taken, or `null` when the tensor was too large to copy. */
  readonly values: Float32Array | null;
}

/** What the caller knows about a snapshot besides its values. */
export type SnapshotLabel = Omit<TensorSnapshot, 'id' | 'summary'>;

export class SnapshotStore {
  private next = 1;
  private readonly held = new Map<number, Held>();

  /** @param limit - most snapshots kept; the oldest go first (the panel shows one at a time) */
  constructor(private readonly limit = 8) {}

  /** Reads a tensor from the server and keeps it as a new snapshot. */
  async take(source: SnapshotSource, label: SnapshotLabel, read: TensorReader, copyLimit = SNAPSHOT_COPY_ELEMENTS): Promise<TensorSnapshot> {
    const first = await read({ ...source, start: 0, end: MAX_TENSOR_PAGE });
    const { size } = first.summary;
    let values: Float32Array | null = null;
    if (size <= copyLimit) {
      values = new Float32Array(size);
      values.set(first.values);
      for (let at = first.values.length; at < size; at += MAX_TENSOR_PAGE) {
        const page = await read({ ...source, start: at, end: Math.min(size, at + MAX_TENSOR_PAGE) });
        values.set(page.values, at);
      }
    }
    const snapshot: TensorSnapshot = { ...label, id: this.next++, summary: first.summary };
    this.held.set(snapshot.id, { snapshot, source, values });
    for (const id of this.held.keys()) {
      if (this.held.size <= this.limit) break;
      this.held.delete(id);
    }
    return snapshot;
  }

  get(id: number): TensorSnapshot | undefined {
    return this.held.get(id)?.snapshot;
  }

  /** Values `[start, end)` of a snapshot, as a fresh array of exactly those values (shorter at the end). */
  async read(id: number, start: number, end: number, read: TensorReader): Promise<Float32Array> {
    const held = this.held.get(id);
    if (!held) throw new Error(`snapshot ${id} is no longer kept; use Show in Panel again`);
    const size = held.snapshot.summary.size;
    const s = Math.min(Math.max(0, start), size);
    const e = Math.min(Math.max(s, end), size);
    if (held.values) return held.values.slice(s, e);
    const out = new Float32Array(e - s);
    for (let at = s; at < e; at += MAX_TENSOR_PAGE) {
      const page = await read({ ...held.source, start: at, end: Math.min(e, at + MAX_TENSOR_PAGE) } as GetTensorParams);
      out.set(page.values, at - s);
    }
    return out;
  }

  /** Every value of a snapshot (for export). */
  readAll(id: number, read: TensorReader): Promise<Float32Array> {
    const size = this.get(id)?.summary.size ?? 0;
    return this.read(id, 0, size, read);
  }
}
