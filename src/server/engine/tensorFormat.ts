/** Prints tensors the way PyTorch does: `tensor([[ 0.1000, -2.0000], ...])`. */

const MAX_SHOWN = 1000;
const EDGE = 3;

function formatNumber(v: number, dtype: string, width: number, fixed: boolean): string {
  let s: string;
  if (dtype === 'bool') s = v ? 'True' : 'False';
  else if (dtype === 'int32') s = String(v);
  else if (Number.isNaN(v)) s = 'nan';
  else if (!Number.isFinite(v)) s = v > 0 ? 'inf' : '-inf';
  else s = fixed ? v.toFixed(4) : v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  return s.padStart(width);
}

/**
 * PyTorch's `repr(tensor)` for float32, int32 and bool values: four decimals
 * (scientific when the magnitudes call for it), aligned columns, and `...`
 * summarisation beyond 1000 elements, as `torch.set_printoptions` defaults.
 */
export function formatTensor(values: readonly number[], shape: readonly number[], dtype: string): string {
  const finite = values.filter((v) => Number.isFinite(v)).map(Math.abs);
  const maxAbs = finite.length ? Math.max(...finite) : 0;
  const minAbs = finite.filter((v) => v > 0).reduce((a, b) => Math.min(a, b), Infinity);
  const fixed = maxAbs < 1e8 && (minAbs === Infinity || minAbs >= 1e-4 || maxAbs === 0);
  const summarize = values.length > MAX_SHOWN;
  const width = Math.max(...values.map((v) => formatNumber(v, dtype, 0, fixed).length), 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const render = (dim: number, offset: number, indent: number): string => {
    if (shape.length === 0) return formatNumber(values[0], dtype, 0, fixed);
    const n = shape[dim];
    const idx = summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    if (dim === shape.length - 1) {
      return `[${idx.map((i) => (i < 0 ? '...' : formatNumber(values[offset + i], dtype, width, fixed))).join(', ')}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
    return `[${idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim], indent + 1))).join(sep)}]`;
  };
  const body = render(0, 0, 'tensor('.length);
  const suffix = dtype === 'int32' ? ', dtype=torch.int32' : '';
  return `tensor(${body}${suffix})`;
}
