/**
 * One tensor (a captured one, or a parameter/buffer snapshot), as a card: its numbers (shape, dtype, min, max, mean,
 * std, NaN/Inf/zero counts, non-finite highlighted), its histogram, a heatmap
 * of a 2-D slice for 2-D and higher (for 3-D and 4-D, or a grid of one heatmap
 * per channel, toggled beside it), and the values grid. The header has the
 * export and "first non-finite value" buttons.
 */
import type { CapturedTensor, TensorSummaryJson } from '../src/protocol/runs';
import type { PanelEvent } from '../src/protocol/webview';
import { button, h } from './dom';
import { formatCount, formatNumber, formatShape, formatValue } from './format';
import { ChannelGridView } from './channelGrid';
import { hasChannels, type ChannelView } from './channels';
import { HeatmapView } from './heatmap';
import { histogramView } from './histogram';
import type { SliceView } from './slicing';
import type { TensorValues, ValueCache } from './tensorValues';
import { ValuesGrid } from './valuesGrid';

/** What a card needs from the panel. */
export interface CardContext {
  readonly values: ValueCache;
  exportTensor(eventId: number, slot: number): void;
  /** The slice the user last picked for this tensor, kept in the webview state. */
  sliceOf(key: string): SliceView | undefined;
  setSlice(key: string, view: SliceView): void;
  /** The channel grid the user last set up for this tensor, if any. */
  channelsOf(key: string): ChannelView | undefined;
  setChannels(key: string, view: ChannelView): void;
}

/** One statistic: a `dt`/`dd` pair in a `div` (allowed in a `dl`), so the pair stays together in the grid. */
export function stat(label: string, value: string, flag = false): HTMLElement {
  return h('div', { class: 'ml-stat' }, h('dt', null, label), h('dd', { class: flag ? 'ml-nonfinite' : undefined }, value));
}

/**
 * The numbers of a summary, as a definition list, in the terms of its dtype: an int32 tensor's
 * min and max are whole numbers and it has no NaN/Inf rows (it cannot hold them); a bool
 * tensor counts its `true` and `false` values and gives the fraction that is true.
 */
export function statsView(s: TensorSummaryJson): HTMLElement {
  const st = s.stats;
  const head = [stat('shape', formatShape(s.shape)), stat('dtype', s.dtype), stat('size', formatCount(s.size))];
  if (s.dtype === 'bool') {
    return h('dl', { class: 'ml-stats' }, ...head,
      stat('true', formatCount(s.size - st.zeros)),
      stat('false', formatCount(st.zeros)),
      stat('fraction true', formatNumber(st.mean)));
  }
  const int = s.dtype === 'int32';
  const extreme = (v: number | null) => (int && v !== null ? formatValue(v, s.dtype) : formatNumber(v));
  return h('dl', { class: 'ml-stats' }, ...head,
    stat('min', extreme(st.min)),
    stat('max', extreme(st.max)),
    stat('mean', formatNumber(st.mean)),
    stat('std', formatNumber(st.std)),
    !int && stat('NaN', formatCount(st.nan), st.nan > 0),
    !int && stat('Inf', formatCount(st.inf), st.inf > 0),
    stat('zeros', formatCount(st.zeros)));
}

/** One tensor as a card shows it, wherever it comes from (an event's slot, or a snapshot). */
export interface CardSpec {
  /** The card's heading (`output`, `fc.weight`). */
  readonly label: string;
  /** Its accessible name (`output of fc`). */
  readonly ariaLabel: string;
  readonly summary: TensorSummaryJson | null;
  readonly values: TensorValues | undefined;
  /** Key of the heatmap slice in the view state. */
  readonly sliceKey: string;
  exportTensor(): void;
}

/**
 * The heatmap with a "Slice | Channels" switch above it; the channel grid is built (and its
 * values fetched) the first time it is shown. `onShow` hears the user's switches.
 */
function viewToggle(slice: HTMLElement, channelsFirst: boolean, channels: () => HTMLElement, onShow: (channels: boolean) => void): HTMLElement {
  let grid: HTMLElement | undefined;
  const body = h('div', { class: 'ml-view-body' });
  const show = (which: 'slice' | 'channels', user = true) => {
    if (which === 'channels') grid ??= channels();
    body.replaceChildren(which === 'slice' ? slice : grid!);
    sliceButton.setAttribute('aria-pressed', String(which === 'slice'));
    channelButton.setAttribute('aria-pressed', String(which === 'channels'));
    if (user) onShow(which === 'channels');
  };
  const sliceButton = button('Slice', () => show('slice'), { title: 'One 2-D slice, with dimension and index pickers', pressed: true, icon: 'symbol-array', class: 'ml-button ml-view-slice' });
  const channelButton = button('Channels', () => show('channels'), { title: 'One heatmap per channel of a batch item, on one colour scale', pressed: false, icon: 'layout', class: 'ml-button ml-view-channels' });
  show(channelsFirst ? 'channels' : 'slice', false);
  return h('div', { class: 'ml-view' }, h('div', { class: 'ml-view-toggle', attrs: { role: 'group', 'aria-label': 'Heatmap view' } }, sliceButton, channelButton), body);
}

/** The card of tensor `slot` of an event. */
export function tensorCard(ev: PanelEvent, slot: number, ctx: CardContext): HTMLElement {
  const t: CapturedTensor = ev.event.tensors[slot];
  const card = cardView({
    label: t.slot,
    ariaLabel: `${t.slot} of ${ev.event.path || '(root)'}`,
    summary: t.summary,
    values: t.summary ? ctx.values.get(ev.id, slot, t.summary.size) : undefined,
    sliceKey: `${ev.id}:${slot}`,
    exportTensor: () => ctx.exportTensor(ev.id, slot),
  }, ctx);
  card.dataset.slot = t.slot;
  card.dataset.slotIndex = String(slot);
  return card;
}

/** A tensor card: numbers, histogram, heatmap (2-D and up), values grid, export. */
export function cardView(spec: CardSpec, ctx: Pick<CardContext, 'sliceOf' | 'setSlice' | 'channelsOf' | 'setChannels'>): HTMLElement {
  const title = h('h4', { class: 'ml-card-title' }, h('span', { class: 'ml-slot' }, spec.label));
  const card = h('section', { class: 'ml-card', attrs: { 'aria-label': spec.ariaLabel } }, title);
  const s = spec.summary;
  const values = spec.values;
  if (!s || !values) {
    card.append(h('p', { class: 'ml-muted' }, 'Not a tensor.'));
    return card;
  }
  title.append(h('span', { class: 'ml-muted' }, ` ${formatShape(s.shape)} ${s.dtype}`));
  const nonFinite = s.stats.nan + s.stats.inf;
  if (nonFinite > 0) title.append(h('span', { class: 'ml-badge ml-nonfinite' }, `${formatCount(nonFinite)} non-finite`));
  const grid = s.size > 0 ? new ValuesGrid(s, values) : undefined;
  const actions = h('div', { class: 'ml-card-actions' },
    button('Export .npy', () => spec.exportTensor(), { title: 'Save this tensor as a NumPy .npy file', icon: 'save-as' }),
    nonFinite > 0 && grid && button('First non-finite value', () => {
      values.firstNonFinite().then((i) => grid.scrollToIndex(i), () => undefined);
    }, { title: 'Scroll the values grid to the first NaN or Inf', icon: 'warning' }));
  title.append(actions);
  card.append(statsView(s), histogramView(s));
  if (s.shape.length >= 2 && s.size > 0) {
    const key = spec.sliceKey;
    const heat = new HeatmapView(s, values, ctx.sliceOf(key) ?? { rowDim: s.shape.length - 2, colDim: s.shape.length - 1, fixed: s.shape.map(() => 0) }, (v) => ctx.setSlice(key, v));
    if (hasChannels(s.shape)) {
      const saved = ctx.channelsOf(key);
      let last = saved;
      const save = (v: ChannelView) => {
        last = v;
        ctx.setChannels(key, v);
      };
      card.append(viewToggle(heat.element, saved?.shown === true,
        () => new ChannelGridView(s, values, saved, save).element,
        // The grid saved its view when built, so `last` is set once channels were ever shown.
        (shown) => { if (last) save({ ...last, shown }); }));
    } else {
      card.append(heat.element);
    }
  }
  if (grid) card.append(grid.element);
  return card;
}
