/**
 * Where the panel's tensor values come from: the values the extension holds
 * (inline in the capture, or copied when the event was pinned), else the model
 * server, page by page with `getTensor`. Plain TypeScript (no `vscode`).
 */
import { MAX_TENSOR_PAGE, type GetTensorParams, type GetTensorResult } from '../../protocol';
import type { LogEntry } from './eventLog';

/** `ModelServer.getTensor`. */
export type TensorReader = (params: GetTensorParams) => Promise<GetTensorResult>;

/** Most elements copied out of the server when an event is pinned or exported (64 MiB of float32). */
export const MAX_COPY_ELEMENTS = 16 * 1024 * 1024;

function tensorOf(entry: LogEntry, slot: number) {
  const t = entry.panel.event.tensors[slot];
  if (!t) throw new Error(`event ${entry.panel.id} has no tensor #${slot}`);
  return t;
}

/**
 * Values `[start, end)` of one tensor of an event, as a fresh `Float32Array` of exactly the
 * values returned (shorter at the end of the tensor).
 */
export async function readValues(entry: LogEntry, slot: number, start: number, end: number, read: TensorReader): Promise<Float32Array> {
  const t = tensorOf(entry, slot);
  const size = t.summary?.size ?? 0;
  const s = Math.min(Math.max(0, start), size);
  const e = Math.min(Math.max(s, end), size);
  const held = entry.values[slot];
  if (held) return held.slice(s, e);
  if (!t.tensorId) throw new Error(`the values of ${t.slot} were not kept (larger than moduleLens.capture.maxBytes)`);
  const out = new Float32Array(e - s);
  for (let at = s; at < e; at += MAX_TENSOR_PAGE) {
    const page = await read({ tensorId: t.tensorId, start: at, end: Math.min(e, at + MAX_TENSOR_PAGE) });
    out.set(page.values, at - s);
  }
  return out;
}

/** Every value of one tensor (for export and for keeping a pinned event's values). */
export function readAllValues(entry: LogEntry, slot: number, read: TensorReader, maxElements = MAX_COPY_ELEMENTS): Promise<Float32Array> {
  const size = tensorOf(entry, slot).summary?.size ?? 0;
  if (size > maxElements) return Promise.reject(new Error(`tensor has ${size} elements, more than the ${maxElements} that can be copied`));
  return readValues(entry, slot, 0, size, read);
}

/**
 * Copies the values of a pinned event's tensors from the server into the entry, so they
 * survive Clear. Tensors already held, without an id, or too large are skipped.
 * @returns how many tensors were copied
 */
export async function keepValues(entry: LogEntry, read: TensorReader, maxElements = MAX_COPY_ELEMENTS): Promise<number> {
  let copied = 0;
  for (const [slot, t] of entry.panel.event.tensors.entries()) {
    if (entry.values[slot] || !t.tensorId || !t.summary || t.summary.size > maxElements) continue;
    try {
      entry.values[slot] = await readAllValues(entry, slot, read, maxElements);
      copied++;
    } catch {
      // Released meanwhile: the panel shows the summary only.
    }
  }
  return copied;
}
