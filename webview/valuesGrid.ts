/**
 * Every value of a tensor in a virtually scrolled grid: only the rows on
 * screen exist in the DOM, and values come from the extension one page at a
 * time as rows scroll into view, so a 10M-element tensor scrolls like a small
 * one. Each line holds up to 16 values of the last dimension and
 * is labelled with the index of its first value. Past a few million pixels the
 * scroll bar is scaled, since browsers cap element heights.
 */
import type { TensorSummaryJson } from '../src/protocol/runs';
import { button, h, replaceChildren } from './dom';
import { formatShape, formatValue } from './format';
import { GridLayout, unravel } from './slicing';
import type { TensorValues } from './tensorValues';

const ROW_HEIGHT = 20;
/** Values fetched for the screen come in aligned blocks of this many. */
const SCREEN_FETCH = 1024;
const VIEW_HEIGHT = 220;
/** Tallest spacer; beyond it one pixel of scroll covers several rows. */
const MAX_SCROLL_PX = 4_000_000;

export class ValuesGrid {
  readonly element: HTMLElement;
  private readonly layout: GridLayout;
  private readonly scroller = h('div', { class: 'ml-grid-scroller', attrs: { tabindex: 0, role: 'grid', 'aria-label': 'Tensor values' } });
  private readonly spacer = h('div', { class: 'ml-grid-spacer' });
  private readonly layer = h('div', { class: 'ml-grid-layer', attrs: { role: 'rowgroup' } });
  private readonly status = h('span', { class: 'ml-muted', attrs: { 'aria-live': 'polite' } });
  private target = -1;
  private frame = 0;

  constructor(private readonly summary: TensorSummaryJson, private readonly values: TensorValues) {
    this.layout = new GridLayout(summary.shape, summary.size);
    this.spacer.style.height = `${this.virtualHeight}px`;
    this.scroller.style.height = `${Math.min(VIEW_HEIGHT, Math.max(ROW_HEIGHT, this.layout.rows * ROW_HEIGHT) + 2)}px`;
    this.scroller.setAttribute('aria-rowcount', String(this.layout.rows));
    this.scroller.append(this.spacer, this.layer);
    this.scroller.addEventListener('scroll', () => this.schedule());
    const goto = h('input', { class: 'ml-input ml-index', attrs: { type: 'number', min: 0, max: Math.max(0, summary.size - 1), 'aria-label': 'Go to flat index', placeholder: 'index' } });
    goto.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.scrollToIndex(Number(goto.value));
    });
    this.element = h('div', { class: 'ml-grid' },
      h('div', { class: 'ml-grid-bar' }, h('label', { class: 'ml-field' }, 'Go to ', goto), button('Go', () => this.scrollToIndex(Number(goto.value)), { title: 'Scroll to this flat index' }), this.status),
      this.scroller);
    this.render();
  }

  private get virtualHeight(): number {
    return Math.min(this.layout.rows * ROW_HEIGHT, MAX_SCROLL_PX);
  }

  private get scaled(): boolean {
    return this.layout.rows * ROW_HEIGHT > MAX_SCROLL_PX;
  }

  private get viewHeight(): number {
    return this.scroller.clientHeight || VIEW_HEIGHT;
  }

  /** First grid row on screen for the current scroll position. */
  private firstRow(): number {
    const top = this.scroller.scrollTop;
    if (!this.scaled) return Math.floor(top / ROW_HEIGHT);
    const visible = Math.ceil(this.viewHeight / ROW_HEIGHT);
    const range = Math.max(1, this.virtualHeight - this.viewHeight);
    return Math.round((top / range) * Math.max(0, this.layout.rows - visible));
  }

  /** Scrolls so the value at `flat` is on screen, and marks it. */
  scrollToIndex(flat: number): void {
    if (!Number.isFinite(flat) || flat < 0 || flat >= this.summary.size) {
      this.status.textContent = `No index ${flat} in ${this.summary.size} values.`;
      return;
    }
    this.target = Math.floor(flat);
    const { row } = this.layout.locate(this.target);
    const visible = Math.ceil(this.viewHeight / ROW_HEIGHT);
    const wanted = Math.max(0, row - Math.floor(visible / 3));
    this.scroller.scrollTop = this.scaled
      ? (wanted / Math.max(1, this.layout.rows - visible)) * Math.max(1, this.virtualHeight - this.viewHeight)
      : wanted * ROW_HEIGHT;
    this.status.textContent = `${formatShape(unravel(this.target, this.summary.shape))} (flat ${this.target})`;
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const L = this.layout;
    if (L.rows === 0) {
      replaceChildren(this.layer, h('div', { class: 'ml-muted' }, 'No values.'));
      return;
    }
    const first = Math.min(this.firstRow(), Math.max(0, L.rows - 1));
    const count = Math.min(L.rows - first, Math.ceil(this.viewHeight / ROW_HEIGHT) + 1);
    const top = this.scroller.scrollTop;
    this.layer.style.transform = `translateY(${this.scaled ? top : first * ROW_HEIGHT}px)`;
    let lo = Infinity;
    let hi = -1;
    const rows: HTMLElement[] = [];
    for (let r = first; r < first + count; r++) {
      const { start, count: n } = L.row(r);
      const label = this.summary.shape.length > 1 ? formatShape(unravel(start, this.summary.shape)) : String(start);
      const cells: HTMLElement[] = [h('span', { class: 'ml-grid-label', attrs: { role: 'rowheader' } }, label)];
      for (let k = 0; k < n; k++) {
        const i = start + k;
        const v = this.values.peek(i);
        if (v === undefined) {
          lo = Math.min(lo, i);
          hi = Math.max(hi, i);
        }
        const cls = ['ml-grid-cell'];
        if (v !== undefined && !Number.isFinite(v)) cls.push('ml-nonfinite');
        if (i === this.target) cls.push('ml-target');
        cells.push(h('span', { class: cls.join(' '), attrs: { role: 'gridcell', title: `${formatShape(unravel(i, this.summary.shape))}` } }, v === undefined ? '…' : formatValue(v, this.summary.dtype)));
      }
      const row = h('div', { class: 'ml-grid-row', attrs: { role: 'row', 'aria-rowindex': r + 1 } }, ...cells);
      row.style.height = `${ROW_HEIGHT}px`;
      rows.push(row);
    }
    this.layer.replaceChildren(...rows);
    if (hi >= 0) {
      // Just the screen's values, rounded out so small scrolls reuse them.
      const start = Math.floor(lo / SCREEN_FETCH) * SCREEN_FETCH;
      const end = Math.ceil((hi + 1) / SCREEN_FETCH) * SCREEN_FETCH;
      this.values.visible(start, end).then(() => this.schedule(), (err: Error) => {
        this.status.textContent = `Values unavailable: ${err.message}`;
      });
    }
  }
}
