/**
 * A heatmap of a 2-D slice of a tensor: pick the row and column dimensions and
 * an index for every other one; values come page by page from the extension.
 * Colours follow {@link colorOf}; NaN and ±Inf have their own colours, shown in
 * the legend with their counts. Hovering a cell shows its index and value.
 */
import type { TensorSummaryJson } from '../src/protocol/runs';
import { colorOf, css, finiteRange, NAN_COLOR, NEG_INF_COLOR, POS_INF_COLOR, type Scale } from './colormap';
import { h, replaceChildren, sizeCanvas } from './dom';
import { formatNumber, formatShape, formatValue } from './format';
import { clampView, pagesFor, sliceGrid, unravel, type SliceGrid, type SliceView } from './slicing';
import { PAGE, type TensorValues } from './tensorValues';

/** Largest drawn side in CSS pixels. */
const MAX_PX = 320;
/** Most value pages one slice may need (a slice across the leading dimension touches many). */
const MAX_SLICE_PAGES = 256;

/**
 * Draws `rows × cols` values (row-major) into `canvas`, one canvas pixel per value, scaled up to
 * whole CSS pixels per cell (`cellPx`, else as large as fits {@link MAX_PX}).
 */
export function paintHeatmap(canvas: HTMLCanvasElement, data: ArrayLike<number>, rows: number, cols: number, range: [number, number], scale: Scale, cellPx?: number): void {
  const cell = cellPx ?? Math.max(1, Math.min(24, Math.floor(MAX_PX / Math.max(rows, cols, 1))));
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  canvas.style.width = `${Math.max(1, cols) * cell}px`;
  canvas.style.height = `${Math.max(1, rows) * cell}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let k = 0; k < rows * cols; k++) {
    const [r, g, b] = colorOf(data[k], range[0], range[1], scale);
    img.data[k * 4] = r;
    img.data[k * 4 + 1] = g;
    img.data[k * 4 + 2] = b;
    img.data[k * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Counts of NaN, +Inf and -Inf among values. */
export function nonFiniteCounts(data: ArrayLike<number>): { nan: number; posInf: number; negInf: number } {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
  }
  return { nan, posInf, negInf };
}

/** The colour legend: the scale from `min` to `max`, and swatches for the non-finite values present. */
export function legendView(range: [number, number], scale: Scale, counts: { nan: number; posInf: number; negInf: number }): HTMLElement {
  const bar = h('canvas', { class: 'ml-legend-bar', attrs: { role: 'img', 'aria-label': `colour scale from ${formatNumber(range[0])} to ${formatNumber(range[1])}` } });
  const ctx = sizeCanvas(bar, 160, 10);
  for (let x = 0; x < 160; x++) {
    const t = x / 159;
    const m = Math.max(Math.abs(range[0]), Math.abs(range[1]));
    const v = scale === 'diverging' ? -m + 2 * m * t : range[0] + (range[1] - range[0]) * t;
    ctx.fillStyle = css(colorOf(v, range[0], range[1], scale));
    ctx.fillRect(x, 0, 1, 10);
  }
  const lo = scale === 'diverging' ? -Math.max(Math.abs(range[0]), Math.abs(range[1])) : range[0];
  const hi = scale === 'diverging' ? -lo : range[1];
  const swatch = (label: string, color: readonly [number, number, number], n: number) => {
    const sw = h('span', { class: 'ml-swatch' });
    sw.style.background = css(color);
    return h('span', { class: 'ml-legend-item ml-nonfinite' }, sw, `${label} ×${n}`);
  };
  return h('div', { class: 'ml-legend' },
    h('span', null, formatNumber(lo)), bar, h('span', null, formatNumber(hi)),
    counts.nan > 0 && swatch('NaN', NAN_COLOR, counts.nan),
    counts.posInf > 0 && swatch('+Inf', POS_INF_COLOR, counts.posInf),
    counts.negInf > 0 && swatch('-Inf', NEG_INF_COLOR, counts.negInf));
}

/** Shows the source index and value of the cell under the pointer, as the canvas's tooltip and a status line. */
export function hoverCells(canvas: HTMLCanvasElement, status: HTMLElement, describe: (row: number, col: number) => string | undefined, rows: () => number, cols: () => number): void {
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor(((ev.clientX - rect.left) / rect.width) * cols());
    const row = Math.floor(((ev.clientY - rect.top) / rect.height) * rows());
    const text = describe(row, col);
    if (text === undefined) return;
    canvas.title = text;
    status.textContent = text;
  });
}

/**
 * The values at `index` for a drawing, saying "Loading values…" in `status` meanwhile and why
 * they are unavailable if they are; `undefined` then, or when a newer drawing has started
 * (`current` turned false).
 */
export async function gatherShown(values: TensorValues, index: ArrayLike<number>, status: HTMLElement, current: () => boolean): Promise<Float32Array | undefined> {
  status.textContent = 'Loading values…';
  try {
    const data = await values.gather(index);
    return current() ? data : undefined;
  } catch (err) {
    if (current()) status.textContent = `Values unavailable: ${(err as Error).message}`;
    return undefined;
  }
}

/** A tensor's heatmap with its slice pickers. */
export class HeatmapView {
  readonly element: HTMLElement;
  private view: SliceView;
  private readonly controls = h('div', { class: 'ml-slice-controls' });
  private readonly canvas = h('canvas', { class: 'ml-heatmap-canvas', attrs: { role: 'img' } });
  private readonly legend = h('div', { class: 'ml-legend-slot' });
  private readonly status = h('div', { class: 'ml-muted ml-heatmap-status', attrs: { 'aria-live': 'polite' } });
  private grid: SliceGrid | undefined;
  private data: Float32Array | undefined;
  private token = 0;

  constructor(private readonly summary: TensorSummaryJson, private readonly values: TensorValues, view: SliceView, private readonly onView: (v: SliceView) => void) {
    this.view = clampView(summary.shape, view);
    this.element = h('div', { class: 'ml-heatmap' }, this.controls, h('div', { class: 'ml-heatmap-body' }, this.canvas, this.legend), this.status);
    hoverCells(this.canvas, this.status, (i, j) => this.describe(i, j), () => this.grid?.rows ?? 1, () => this.grid?.cols ?? 1);
    this.renderControls();
    // After the card is built: the values grid asks for the page on screen first, and the
    // slice's pages (all of them, for a big tensor) queue behind it.
    setTimeout(() => void this.render(), 0);
  }

  /** The drawn slice (for the tests). */
  get currentView(): SliceView {
    return this.view;
  }

  private setView(v: SliceView): void {
    this.view = clampView(this.summary.shape, v);
    this.onView(this.view);
    this.renderControls();
    void this.render();
  }

  private renderControls(): void {
    const shape = this.summary.shape;
    const r = shape.length;
    const dimOptions = (selected: number) => shape.map((d, i) => {
      const o = h('option', { attrs: { value: i } }, `dim ${i} (${d})`);
      o.selected = i === selected;
      return o;
    });
    const dimPicker = (label: string, selected: number, pick: (d: number) => void) => {
      const select = h('select', { class: 'ml-select', attrs: { 'aria-label': `${label} dimension` }, on: { change: () => pick(Number(select.value)) } }, ...dimOptions(selected));
      return h('label', { class: 'ml-field' }, `${label} `, select);
    };
    const swap = (which: 'rowDim' | 'colDim', d: number) => {
      const other = which === 'rowDim' ? 'colDim' : 'rowDim';
      const next = { ...this.view, [which]: d };
      // Picking the other axis's dimension swaps the two.
      if (d === this.view[other]) next[other] = this.view[which];
      this.setView(next);
    };
    const fixed = shape.map((d, i) => {
      if (i === this.view.rowDim || i === this.view.colDim) return null;
      const input = h('input', {
        class: 'ml-input ml-index',
        attrs: { type: 'number', min: 0, max: d - 1, step: 1, value: this.view.fixed[i], 'aria-label': `index in dim ${i}` },
        on: { change: () => this.setView({ ...this.view, fixed: this.view.fixed.map((f, k) => (k === i ? Number(input.value) : f)) }) },
      });
      return h('label', { class: 'ml-field' }, `dim ${i} `, input, h('span', { class: 'ml-muted' }, ` / ${d}`));
    });
    replaceChildren(this.controls,
      r >= 2 && dimPicker('rows', this.view.rowDim, (d) => swap('rowDim', d)),
      r >= 2 && dimPicker('columns', this.view.colDim, (d) => swap('colDim', d)),
      ...fixed);
  }

  private describe(i: number, j: number): string | undefined {
    const g = this.grid;
    const d = this.data;
    if (!g || !d || i < 0 || j < 0 || i >= g.rows || j >= g.cols) return undefined;
    const flat = g.index[i * g.cols + j];
    return `${formatShape(unravel(flat, this.summary.shape))} = ${formatValue(d[i * g.cols + j], this.summary.dtype)}`;
  }

  private async render(): Promise<void> {
    const token = ++this.token;
    const grid = sliceGrid(this.summary.shape, this.view);
    const pages = pagesFor(grid.index, PAGE).length;
    if (pages > MAX_SLICE_PAGES) {
      this.status.textContent = `This slice is spread over ${pages} pages of values; make the last dimension the columns to draw it.`;
      return;
    }
    const data = await gatherShown(this.values, grid.index, this.status, () => token === this.token);
    if (!data) return;
    this.grid = grid;
    this.data = data;
    const range = finiteRange(data);
    paintHeatmap(this.canvas, data, grid.rows, grid.cols, range, 'sequential');
    this.canvas.setAttribute('aria-label', `Heatmap of a ${grid.R} × ${grid.C} slice`);
    replaceChildren(this.legend, legendView(range, 'sequential', nonFiniteCounts(data)));
    const sampled = grid.rows < grid.R || grid.cols < grid.C ? ` (every ${Math.ceil(grid.R / grid.rows)}th row, ${Math.ceil(grid.C / grid.cols)}th column)` : '';
    this.status.textContent = `${grid.R} × ${grid.C} slice${sampled}. Hover for values.`;
  }
}
