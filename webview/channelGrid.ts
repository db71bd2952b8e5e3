/**
 * A 4-D (N, C, H, W) or 3-D (C, H, W) tensor as a grid of per-channel heatmaps
 * for one batch item: one colour scale over every drawn channel, with its
 * legend, and NaN/±Inf in the single heatmap's colours. At most
 * {@link MAX_CHANNELS} channels are drawn at once ("showing 64 of 512
 * channels", with paging); only the value pages the drawn cells fall in are
 * fetched.
 */
import type { TensorSummaryJson } from '../src/protocol/runs';
import { finiteRange } from './colormap';
import { channelDimChoices, channelLayout, channelPage, MAX_CHANNELS, type ChannelLayout, type ChannelPage, type ChannelView } from './channels';
import { button, h, replaceChildren } from './dom';
import { formatShape, formatValue } from './format';
import { gatherShown, hoverCells, legendView, nonFiniteCounts, paintHeatmap } from './heatmap';
import { pagesFor, unravel } from './slicing';
import { PAGE, type TensorValues } from './tensorValues';

/** Largest side of one channel's image, in CSS pixels. */
const CELL_PX = 96;
/** Most value pages one grid page may need. */
const MAX_GRID_PAGES = 256;

export class ChannelGridView {
  readonly element: HTMLElement;
  private view: ChannelView;
  private layout: ChannelLayout;
  private readonly controls = h('div', { class: 'ml-slice-controls ml-channel-controls' });
  private readonly cells = h('div', { class: 'ml-channel-grid', attrs: { role: 'group', 'aria-label': 'Channels' } });
  private readonly legend = h('div', { class: 'ml-legend-slot' });
  private readonly status = h('div', { class: 'ml-muted ml-heatmap-status ml-channel-status', attrs: { 'aria-live': 'polite' } });
  private token = 0;

  /** `view` is the saved one, if any; `onView` hears every change (the panel saves it). */
  constructor(private readonly summary: TensorSummaryJson, private readonly values: TensorValues, view: ChannelView | undefined, private readonly onView: (v: ChannelView) => void) {
    this.layout = channelLayout(summary.shape, view?.channelDim);
    this.view = { shown: true, channelDim: this.layout.channelDim, batch: view?.batch ?? 0, first: view?.first ?? 0 };
    this.element = h('div', { class: 'ml-channels' }, this.controls, this.legend, this.cells, this.status);
    this.setView(this.view);
  }

  private setView(v: ChannelView): void {
    const shape = this.summary.shape;
    this.layout = channelLayout(shape, v.channelDim);
    const total = shape[this.layout.channelDim];
    const batches = this.layout.batchDim >= 0 ? shape[this.layout.batchDim] : 1;
    const batch = Math.min(Math.max(0, Math.floor(v.batch) || 0), batches - 1);
    const first = Math.min(Math.max(0, Math.floor(v.first / MAX_CHANNELS) * MAX_CHANNELS), Math.max(0, total - 1));
    this.view = { shown: true, channelDim: this.layout.channelDim, batch, first };
    this.onView(this.view);
    this.renderControls(total, batches);
    void this.render();
  }

  private renderControls(total: number, batches: number): void {
    const shape = this.summary.shape;
    const dims = channelDimChoices(shape);
    const names = shape.length === 4 ? ['NCHW', 'NHWC'] : ['CHW', 'HWC'];
    const dimSelect = h('select', { class: 'ml-select', attrs: { 'aria-label': 'channel dimension' }, on: { change: () => this.setView({ ...this.view, channelDim: Number(dimSelect.value), first: 0 }) } },
      ...dims.map((d, k) => {
        const o = h('option', { attrs: { value: d } }, `dim ${d} (${names[k]})`);
        o.selected = d === this.layout.channelDim;
        return o;
      }));
    const batchInput = this.layout.batchDim >= 0 && h('input', {
      class: 'ml-input ml-index',
      attrs: { type: 'number', min: 0, max: batches - 1, step: 1, value: this.view.batch, 'aria-label': 'batch index' },
      on: { change: () => this.setView({ ...this.view, batch: Number((batchInput as HTMLInputElement).value) }) },
    });
    const last = Math.min(total, this.view.first + MAX_CHANNELS);
    replaceChildren(this.controls,
      h('label', { class: 'ml-field' }, 'channels ', dimSelect),
      batchInput && h('label', { class: 'ml-field' }, 'batch ', batchInput, h('span', { class: 'ml-muted' }, ` / ${batches}`)),
      h('span', { class: 'ml-channel-count' }, total > MAX_CHANNELS
        ? `showing ${last - this.view.first} of ${total} channels (${this.view.first}–${last - 1})`
        : `${total} channel${total === 1 ? '' : 's'}`),
      total > MAX_CHANNELS && button('Previous', () => this.setView({ ...this.view, first: this.view.first - MAX_CHANNELS }), { title: `The previous ${MAX_CHANNELS} channels`, icon: 'chevron-left' }),
      total > MAX_CHANNELS && button('Next', () => this.setView({ ...this.view, first: this.view.first + MAX_CHANNELS }), { title: `The next ${MAX_CHANNELS} channels`, icon: 'chevron-right' }));
    const [prev, next] = [...this.controls.querySelectorAll('button')];
    if (prev) prev.disabled = this.view.first === 0;
    if (next) next.disabled = last >= total;
  }

  private async render(): Promise<void> {
    const token = ++this.token;
    const page = channelPage(this.summary.shape, this.layout, this.view.batch, this.view.first);
    const pages = pagesFor(page.index, PAGE).length;
    if (pages > MAX_GRID_PAGES) {
      replaceChildren(this.cells);
      this.status.textContent = `These channels are spread over ${pages} pages of values; pick the other channel dimension to draw them.`;
      return;
    }
    const data = await gatherShown(this.values, page.index, this.status, () => token === this.token);
    if (!data) return;
    // One scale for every drawn channel, so channels compare by colour.
    const range = finiteRange(data);
    replaceChildren(this.legend, legendView(range, 'sequential', nonFiniteCounts(data)));
    const cells = page.rows * page.cols;
    const side = Math.max(page.rows, page.cols);
    replaceChildren(this.cells, ...page.channels.map((ch, k) => this.cell(page, ch, data.subarray(k * cells, (k + 1) * cells), range, Math.max(1, Math.floor(CELL_PX / side)))));
    const sampled = page.rows < page.R || page.cols < page.C ? ` (every ${Math.ceil(page.R / page.rows)}th row, ${Math.ceil(page.C / page.cols)}th column)` : '';
    const batch = this.layout.batchDim >= 0 ? ` of batch item ${this.view.batch}` : '';
    this.status.textContent = `${page.R} × ${page.C} per channel${batch}${sampled}. Hover for values.`;
  }

  private cell(page: ChannelPage, ch: number, data: Float32Array, range: [number, number], px: number): HTMLElement {
    const canvas = h('canvas', { class: 'ml-heatmap-canvas ml-channel-canvas', attrs: { role: 'img', 'aria-label': `channel ${ch}`, 'data-channel': ch } });
    paintHeatmap(canvas, data, page.rows, page.cols, range, 'sequential', px);
    hoverCells(canvas, this.status, (i, j) => {
      if (i < 0 || j < 0 || i >= page.rows || j >= page.cols) return undefined;
      const flat = page.index[page.channels.indexOf(ch) * page.rows * page.cols + i * page.cols + j];
      return `${formatShape(unravel(flat, this.summary.shape))} = ${formatValue(data[i * page.cols + j], this.summary.dtype)}`;
    }, () => page.rows, () => page.cols);
    return h('figure', { class: 'ml-channel' }, canvas, h('figcaption', { class: 'ml-muted' }, `c${ch}`));
  }
}
