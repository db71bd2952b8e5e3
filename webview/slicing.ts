/**
 * Index math for the heatmap: which 2-D slice of an n-D tensor is shown (a row
 * dimension, a column dimension, and a fixed index for every other one), the
 * flat row-major index of each drawn cell, and the value pages those indices
 * fall in. Large slices are sampled (nearest) down to at most `maxSide` cells a
 * side. Pure functions, unit-tested in Node.
 */

/** Which 2-D slice is shown. */
export interface SliceView {
  readonly rowDim: number;
  readonly colDim: number;
  /** One index per dimension; the row and column dimensions' entries are ignored. */
  readonly fixed: readonly number[];
}

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}

/** The row-major multi-index of a flat index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = shape[d] ? rest % shape[d] : 0;
    rest = shape[d] ? Math.floor(rest / shape[d]) : 0;
  }
  return idx;
}

/**
 * A 1-D or 2-D (or higher) shape seen as rows × columns: the last two dimensions, with every
 * other index at 0. A vector is one row.
 */
export function defaultView(shape: readonly number[]): SliceView {
  const r = shape.length;
  if (r < 2) return { rowDim: -1, colDim: r - 1, fixed: shape.map(() => 0) };
  return { rowDim: r - 2, colDim: r - 1, fixed: shape.map(() => 0) };
}

/** `view` made valid for `shape`: distinct dimensions in range, fixed indices clamped. */
export function clampView(shape: readonly number[], view: SliceView): SliceView {
  const r = shape.length;
  const def = defaultView(shape);
  let { rowDim, colDim } = view;
  if (r < 2) return def;
  if (!(rowDim >= 0 && rowDim < r && colDim >= 0 && colDim < r && rowDim !== colDim)) ({ rowDim, colDim } = def);
  const fixed = shape.map((d, i) => Math.min(Math.max(0, Math.floor(view.fixed[i] ?? 0)), Math.max(0, d - 1)));
  return { rowDim, colDim, fixed };
}

/** The cells drawn for a slice: `rows × cols` (sampled from `R × C`), and each one's flat index. */
export interface SliceGrid {
  /** Source rows and columns of the slice. */
  readonly R: number;
  readonly C: number;
  /** Drawn rows and columns (at most `maxSide`). */
  readonly rows: number;
  readonly cols: number;
  /** Flat index of drawn cell `(i, j)` at `i * cols + j`. */
  readonly index: Float64Array;
  /** Source row of drawn row `i`, source column of drawn column `j`. */
  readonly rowOf: Int32Array;
  readonly colOf: Int32Array;
}

export function sliceGrid(shape: readonly number[], view: SliceView, maxSide = 256): SliceGrid {
  const st = strides(shape);
  const v = clampView(shape, view);
  const R = v.rowDim >= 0 ? shape[v.rowDim] : 1;
  const C = v.colDim >= 0 ? shape[v.colDim] : 1;
  let base = 0;
  shape.forEach((_, d) => {
    if (d !== v.rowDim && d !== v.colDim) base += v.fixed[d] * st[d];
  });
  const sr = v.rowDim >= 0 ? st[v.rowDim] : 0;
  const sc = v.colDim >= 0 ? st[v.colDim] : 0;
  const rows = Math.min(R, maxSide);
  const cols = Math.min(C, maxSide);
  const rowOf = new Int32Array(rows).map((_, i) => Math.floor((i * R) / rows));
  const colOf = new Int32Array(cols).map((_, j) => Math.floor((j * C) / cols));
  const index = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) index[i * cols + j] = base + rowOf[i] * sr + colOf[j] * sc;
  }
  return { R, C, rows, cols, index, rowOf, colOf };
}

/** The pages (of `pageSize` values) that hold the given flat indices, ascending. */
export function pagesFor(index: ArrayLike<number>, pageSize: number): number[] {
  const pages = new Set<number>();
  for (let i = 0; i < index.length; i++) pages.add(Math.floor(index[i] / pageSize));
  return [...pages].sort((a, b) => a - b);
}

/** Most values on one line of the values grid. */
const MAX_COLS = 16;

/** How a tensor's values are laid out in lines. Pure, so the tests can check the index math. */
export class GridLayout {
  readonly lastDim: number;
  readonly cols: number;
  readonly chunksPerLine: number;
  readonly rows: number;

  constructor(readonly shape: readonly number[], readonly size: number) {
    this.lastDim = shape.length ? shape[shape.length - 1] : 1;
    this.cols = Math.max(1, Math.min(MAX_COLS, this.lastDim));
    this.chunksPerLine = Math.max(1, Math.ceil(this.lastDim / this.cols));
    this.rows = this.lastDim > 0 ? (size / this.lastDim) * this.chunksPerLine : 0;
  }

  /** First flat index and value count of grid row `r`. */
  row(r: number): { start: number; count: number } {
    const outer = Math.floor(r / this.chunksPerLine);
    const chunk = r % this.chunksPerLine;
    const start = outer * this.lastDim + chunk * this.cols;
    return { start, count: Math.min(this.cols, this.lastDim - chunk * this.cols) };
  }

  /** Grid row and column of a flat index. */
  locate(flat: number): { row: number; col: number } {
    const outer = Math.floor(flat / this.lastDim);
    const within = flat % this.lastDim;
    return { row: outer * this.chunksPerLine + Math.floor(within / this.cols), col: within % this.cols };
  }
}
