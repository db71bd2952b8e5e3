/**
 * The read-only JSON document Show State Dict opens: every `state_dict()` key of
 * a model with its shape and dtype, in PyTorch's order (each module's
 * parameters, then its persistent buffers, then its children). Pure, built from
 * the server's flat module listing.
 */
import type { ModelInfo, ModuleListing } from '../protocol';

/** One entry of a state dict. */
export interface StateDictEntry {
  readonly key: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly kind: 'parameter' | 'buffer';
}

/** The state dict's keys from a listing made with `tensors: true` (non-persistent buffers are left out, as PyTorch does). */
export function stateDictEntries(modules: readonly ModuleListing[]): StateDictEntry[] {
  const out: StateDictEntry[] = [];
  for (const m of modules) {
    for (const p of m.parameters ?? []) out.push({ key: p.path, shape: p.shape, dtype: p.dtype, kind: 'parameter' });
    for (const b of m.buffers ?? []) if (b.persistent) out.push({ key: b.path, shape: b.shape, dtype: b.dtype, kind: 'buffer' });
  }
  return out;
}

/**
 * The document's text: a JSON object with the model, its file and counts, and
 * `state_dict` mapping each key to `{shape, dtype, kind}`, one key per line so it reads like a table.
 */
export function stateDictDocument(model: Pick<ModelInfo, 'rootType' | 'file'>, modules: readonly ModuleListing[]): string {
  const entries = stateDictEntries(modules);
  const elements = entries.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  const lines = entries.map((e, i) =>
    `    ${JSON.stringify(e.key)}: { "shape": ${JSON.stringify(e.shape)}, "dtype": ${JSON.stringify(e.dtype)}, "kind": "${e.kind}" }${i < entries.length - 1 ? ',' : ''}`);
  return [
    '{',
    `  "model": ${JSON.stringify(model.rootType)},`,
    `  "file": ${JSON.stringify(model.file)},`,
    `  "keys": ${entries.length},`,
    `  "elements": ${elements},`,
    `  "state_dict": {${entries.length ? '' : '}'}`,
    ...lines,
    ...(entries.length ? ['  }'] : []),
    '}',
    '',
  ].join('\n');
}
