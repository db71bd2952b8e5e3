/**
 * Which rows of a virtualized list are on screen. Collapsed rows share one
 * height; an expanded row has its own, measured once drawn. Only the rows in
 * the window (plus an overscan) exist in the DOM, with spacers above and below
 * standing for the rest, so the browser's style, layout and paint work stays the
 * size of a screen however many events the panel holds. Pure: unit-tested in Node.
 */

/** The rows to draw, `[first, last)`, and the spacer heights around them. */
export interface RowWindow {
  readonly first: number;
  readonly last: number;
  readonly above: number;
  readonly below: number;
  readonly total: number;
}

/** Row offsets for `count` rows of `rowHeight`, except those `heightOf` gives another height. */
export class RowOffsets {
  private readonly offsets: Float64Array | undefined;

  /**
   * @param count - number of rows
   * @param rowHeight - height of a row with no height of its own
   * @param heightOf - a row's own height, or `undefined` for `rowHeight`; `undefined` for none at all
   */
  constructor(readonly count: number, readonly rowHeight: number, heightOf?: (i: number) => number | undefined) {
    if (!heightOf) return;
    const off = new Float64Array(count + 1);
    for (let i = 0; i < count; i++) off[i + 1] = off[i] + (heightOf(i) ?? rowHeight);
    this.offsets = off;
  }

  /** Top of row `i` (`i = count` gives the total height). */
  top(i: number): number {
    return this.offsets ? this.offsets[i] : i * this.rowHeight;
  }

  get total(): number {
    return this.top(this.count);
  }

  /** The first row whose bottom is below `y` (`count` when none). */
  rowAt(y: number): number {
    if (!this.offsets) return Math.min(this.count, Math.max(0, Math.floor(y / this.rowHeight)));
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1] > y) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The rows that intersect `[from, to)`. */
  window(from: number, to: number): RowWindow {
    const total = this.total;
    const first = Math.min(this.count, this.rowAt(Math.max(0, from)));
    let last = first;
    while (last < this.count && this.top(last) < to) last++;
    return { first, last, above: this.top(first), below: total - this.top(last), total };
  }
}
