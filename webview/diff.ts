/**
 * The numbers of a diff between two captures of the same module: the
 * element-wise delta (`b − a`, newer minus older), its largest and mean
 * absolute value, and how many elements differ by more than a tolerance.
 * Pure functions, unit-tested in Node.
 *
 * Non-finite values: two equal ones (NaN and NaN, +Inf and +Inf) do not differ;
 * a non-finite value against anything else is a mismatch, counted over any
 * tolerance and left out of the max and mean (its delta is NaN).
 */

export interface DiffStats {
  /** Elements compared. */
  readonly count: number;
  /** Largest |b − a| over finite pairs (0 when there are none). */
  readonly maxAbs: number;
  /** Mean |b − a| over finite pairs (0 when there are none). */
  readonly meanAbs: number;
  /** Flat index of the largest difference, or -1. */
  readonly argMax: number;
  /** Elements with |b − a| > tolerance, mismatches included. */
  readonly overTolerance: number;
  /** Pairs where exactly one side is non-finite, or both are but differ. */
  readonly nonFiniteMismatch: number;
}

/** True when both shapes have the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sameNonFinite(x: number, y: number): boolean {
  return (Number.isNaN(x) && Number.isNaN(y)) || (x === y && !Number.isFinite(x));
}

/** `b − a` element-wise; 0 where both hold the same non-finite value, NaN at a mismatch. */
export function deltaValues(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error(`cannot diff ${a.length} values with ${b.length}`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isFinite(x) && Number.isFinite(y)) out[i] = y - x;
    else out[i] = sameNonFinite(x, y) ? 0 : NaN;
  }
  return out;
}

/** The diff's numbers; `tolerance` is absolute (negative counts as 0). */
export function diffStats(a: Float32Array, b: Float32Array, tolerance: number): DiffStats {
  if (a.length !== b.length) throw new Error(`cannot diff ${a.length} values with ${b.length}`);
  const tol = Math.max(0, Number.isFinite(tolerance) ? tolerance : 0);
  let maxAbs = 0;
  let argMax = -1;
  let sum = 0;
  let finite = 0;
  let over = 0;
  let mismatch = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      // In float64, so two float32 values' difference is exact.
      const d = Math.abs(y - x);
      finite++;
      sum += d;
      if (d > maxAbs || argMax < 0) {
        maxAbs = d;
        argMax = i;
      }
      if (d > tol) over++;
    } else if (!sameNonFinite(x, y)) {
      mismatch++;
      over++;
    }
  }
  return { count: a.length, maxAbs, meanAbs: finite ? sum / finite : 0, argMax, overTolerance: over, nonFiniteMismatch: mismatch };
}

/**
 * Rows × columns a tensor's delta is drawn as: the trailing dimensions across and the leading
 * ones down, split where the picture is closest to square, so a `[1, 32, 32, 8]` feature map
 * is 32 × 256 (each row one image row, its pixels' channels side by side), not a 1024 × 8 strip.
 */
export function asMatrix(shape: readonly number[]): [number, number] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return [0, shape.length ? shape[shape.length - 1] : 0];
  let best: [number, number] = [size, 1];
  let cols = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    cols *= shape[k];
    const rows = size / cols;
    const skew = (a: number, b: number) => Math.max(a, b) / Math.max(1, Math.min(a, b));
    if (k === shape.length - 1 || skew(rows, cols) < skew(best[0], best[1])) best = [rows, cols];
  }
  return best;
}
