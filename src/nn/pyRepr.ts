/**
 * Formatting helpers that reproduce Python's `repr` of the values PyTorch puts in
 * module reprs, so `toString()` output matches PyTorch character for character.
 */

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  // In this range JavaScript's shortest form is already positional, as Python's is.
  const fixed = String(x);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Python's `repr(bool)`. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's repr of an int tuple: `(3,)`, `(3, 3)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** Repr of an int-or-tuple argument as PyTorch stores it (an int stays an int). */
export function pyIntOrTuple(value: number | readonly number[]): string {
  return typeof value === 'number' ? String(value) : pyTuple(value);
}

/** Python's `repr(str)` for the simple strings PyTorch layers use ('none', 'tanh', 'zeros'). */
export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python's repr of `None` or a value. */
export function pyOptional<T>(value: T | null | undefined, fmt: (v: T) => string): string {
  return value === null || value === undefined ? 'None' : fmt(value);
}

/** Indents every line but the first by `spaces`, as `torch.nn.modules.module._addindent`. */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const pad = ' '.repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}
