/** How numbers, shapes and times read in the panel. Pure functions. */

/** A statistic or value: `—` for none, `NaN`/`+Inf`/`−Inf` spelled out, else 5 significant digits. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(5)));
}

/** `[3, 4]`; a scalar is `[]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Milliseconds since the run started. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * One value of a tensor as its dtype reads: `true`/`false` for bool, a whole number for int32
 * (values travel as float32, so an int32 prints without decimals even when large), else
 * {@link formatNumber}.
 */
export function formatValue(v: number, dtype: string): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32' && Number.isFinite(v)) return String(Math.round(v));
  return formatNumber(v);
}
