/**
 * What the panel's export buttons write: one tensor as `.npy`, a run as
 * `.safetensors` (keys `<path>/<kind>/<slot>`), the event list as JSON. The
 * bytes are built here from values the extension holds or fetches (the panel
 * asks where to save them). Plain TypeScript (no `vscode`).
 */
import type { EventLog, LogEntry } from './eventLog';
import { npyBytes, safetensorsBytes, type SafetensorsEntry } from './tensorFileBytes';
import { readAllValues, type TensorReader } from './tensorValues';

/** A file-name-safe form of a module path or slot (`features.0` → `features.0`, `args[0]` → `args_0_`). */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '') || 'root';
}

/** The `.safetensors` key of one captured tensor: `<path>/<kind>/<slot>`, the root's path being `''`. */
export function runTensorKey(entry: LogEntry, slot: number): string {
  const e = entry.panel.event;
  return `${e.path}/${e.kind}/${e.tensors[slot].slot}`;
}

/** `.npy` bytes of one tensor of an event, in its dtype. */
export async function tensorNpy(entry: LogEntry, slot: number, read: TensorReader): Promise<Uint8Array> {
  const t = entry.panel.event.tensors[slot];
  if (!t?.summary) throw new Error('this tensor has no values to export');
  return npyBytes(await readAllValues(entry, slot, read), t.summary.shape, t.summary.dtype);
}

/**
 * `.safetensors` bytes of every tensor of a run the log still holds. A module that fired more
 * than once in the run gets `#<n>` after its kind from the second time on.
 * @returns the bytes and the tensors that had to be skipped (values not kept), with why
 */
export async function runSafetensors(entries: readonly LogEntry[], read: TensorReader): Promise<{ bytes: Uint8Array; skipped: string[] }> {
  const out: SafetensorsEntry[] = [];
  const skipped: string[] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    for (const [slot, t] of entry.panel.event.tensors.entries()) {
      let name = runTensorKey(entry, slot);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) name = `${entry.panel.event.path}/${entry.panel.event.kind}#${n}/${t.slot}`;
      if (!t.summary) continue;
      try {
        out.push({ name, shape: t.summary.shape, dtype: t.summary.dtype, values: await readAllValues(entry, slot, read) });
      } catch (err) {
        skipped.push(`${name}: ${(err as Error).message}`);
      }
    }
  }
  return { bytes: safetensorsBytes(out, { format: 'pt', source: 'Module Lens captures' }), skipped };
}

/** The event list as JSON: every event with its summaries (no values), oldest first. */
export function eventsJson(log: EventLog): Uint8Array {
  const doc = { evicted: log.evicted, events: log.events() };
  return new TextEncoder().encode(JSON.stringify(doc, null, 1) + '\n');
}
