/**
 * How the CLI prints tensors and hook events without `--json`: one compact line each.
 */
import type { TensorJson, ValueJson } from './jsonOutput';
import type { RunEvent } from './runCommand';

/** `float32[3,4] min=-1.2 max=3.4 mean=0.05 std=1.1` plus NaN/Inf counts and values when present. */
export function tensorText(t: TensorJson): string {
  const s = t.stats;
  let text = `${t.dtype}[${t.shape.join(',')}] min=${num(s.min)} max=${num(s.max)} mean=${num(s.mean)} std=${num(s.std)}`;
  if (s.nan > 0) text += ` nan=${s.nan}`;
  if (s.inf > 0) text += ` inf=${s.inf}`;
  if (t.values !== undefined) text += ` values=[${t.values.map(num).join(', ')}]`;
  return text;
}

/** A module input/output/gradient: tensors as {@link tensorText}, `null` as `None` (PyTorch's word). */
export function valueText(v: ValueJson): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `(${v.map(valueText).join(', ')})`;
  if (typeof v === 'object') {
    if ('stats' in v && 'shape' in v) return tensorText(v as TensorJson);
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${valueText(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** `#3 forward submodel_2  in: ...  out: ...`; the root module prints as `(root)`. */
export function eventText(e: RunEvent): string {
  const [inName, outName] = e.kind === 'backward' ? ['grad_input', 'grad_output'] : ['in', 'out'];
  const parts = [`#${e.seq} ${e.kind} ${e.path === '' ? '(root)' : e.path}`, `${inName}: ${valueText(e.inputs)}`];
  if (e.kind !== 'pre') parts.push(`${outName}: ${valueText(e.outputs)}`);
  return parts.join('  ');
}

/** Four significant digits, like a quick glance at PyTorch's print. */
function num(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  return String(Number(x.toPrecision(4)));
}
