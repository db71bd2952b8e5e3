/**
 * The diff of two captures of the same module, tensor by tensor (matched by
 * slot name): the delta `newer − older` as a heatmap on a diverging scale, the
 * max and mean absolute difference, and the count of elements that differ by
 * more than the tolerance the user types in.
 */
import type { PanelEvent } from '../src/protocol/webview';
import { finiteRange } from './colormap';
import { asMatrix, deltaValues, diffStats, sameShape } from './diff';
import { h, replaceChildren } from './dom';
import { formatCount, formatNumber, formatShape } from './format';
import { hoverCells, legendView, nonFiniteCounts, paintHeatmap } from './heatmap';
import { sliceGrid } from './slicing';
import { stat } from './tensorCard';
import type { ValueCache } from './tensorValues';

/** A short name for an event in pickers and headings. */
export function eventLabel(e: PanelEvent): string {
  return `run ${e.event.runId} #${e.event.seq}${e.pinned ? ' (pinned)' : ''}`;
}


/** One slot's diff block. */
async function slotDiff(older: PanelEvent, newer: PanelEvent, slot: string, values: ValueCache, tolerance: () => number, onTolerance: (f: () => void) => void): Promise<HTMLElement> {
  const ia = older.event.tensors.findIndex((t) => t.slot === slot);
  const ib = newer.event.tensors.findIndex((t) => t.slot === slot);
  const sa = older.event.tensors[ia]?.summary;
  const sb = newer.event.tensors[ib]?.summary;
  const block = h('section', { class: 'ml-diff-slot', attrs: { 'data-slot': slot } }, h('h5', null, slot));
  if (!sa || !sb) {
    block.append(h('p', { class: 'ml-muted' }, 'Not a tensor on both sides.'));
    return block;
  }
  if (!sameShape(sa.shape, sb.shape)) {
    block.append(h('p', { class: 'ml-muted' }, `Shapes differ: ${formatShape(sa.shape)} and ${formatShape(sb.shape)}.`));
    return block;
  }
  let a: Float32Array;
  let b: Float32Array;
  try {
    [a, b] = await Promise.all([values.get(older.id, ia, sa.size).all(), values.get(newer.id, ib, sb.size).all()]);
  } catch (err) {
    block.append(h('p', { class: 'ml-muted' }, `Values unavailable: ${(err as Error).message}`));
    return block;
  }
  const delta = deltaValues(a, b);
  const numbers = h('dl', { class: 'ml-stats ml-diff-stats' });
  const showNumbers = () => {
    const d = diffStats(a, b, tolerance());
    replaceChildren(numbers,
      stat('max |Δ|', formatNumber(d.maxAbs)),
      stat('mean |Δ|', formatNumber(d.meanAbs)),
      stat('> tolerance', `${formatCount(d.overTolerance)} of ${formatCount(d.count)}`, d.overTolerance > 0),
      stat('NaN/Inf mismatches', formatCount(d.nonFiniteMismatch), d.nonFiniteMismatch > 0));
  };
  showNumbers();
  onTolerance(showNumbers);
  const [rows, cols] = asMatrix(sa.shape);
  const grid = sliceGrid([rows, cols], { rowDim: 0, colDim: 1, fixed: [0, 0] });
  const sampled = new Float32Array(grid.index.length);
  grid.index.forEach((flat, k) => { sampled[k] = delta[flat]; });
  const range = finiteRange(sampled);
  const canvas = h('canvas', { class: 'ml-heatmap-canvas ml-diff-canvas', attrs: { role: 'img', 'aria-label': `Heatmap of the difference, ${rows} × ${cols}` } });
  paintHeatmap(canvas, sampled, grid.rows, grid.cols, range, 'diverging');
  const status = h('div', { class: 'ml-muted' }, `Δ = ${eventLabel(newer)} − ${eventLabel(older)}, drawn as ${rows} × ${cols}. Hover for values.`);
  hoverCells(canvas, status, (i, j) => {
    if (i < 0 || j < 0 || i >= grid.rows || j >= grid.cols) return undefined;
    const flat = grid.index[i * grid.cols + j];
    return `flat ${flat}: ${formatNumber(a[flat])} → ${formatNumber(b[flat])} (Δ ${formatNumber(delta[flat])})`;
  }, () => grid.rows, () => grid.cols);
  block.append(numbers, h('div', { class: 'ml-heatmap-body' }, canvas, legendView(range, 'diverging', nonFiniteCounts(sampled))), status);
  return block;
}

/** The diff of two events, oldest first; `tolerance` is the starting value, `onTolerance` saves edits. */
export function diffView(x: PanelEvent, y: PanelEvent, values: ValueCache, tolerance: number, onToleranceChange: (t: number) => void, onClose: () => void): HTMLElement {
  const [older, newer] = x.id < y.id ? [x, y] : [y, x];
  let tol = tolerance;
  const listeners: (() => void)[] = [];
  const input = h('input', {
    class: 'ml-input ml-tolerance',
    attrs: { type: 'number', min: 0, step: 'any', value: tol, 'aria-label': 'Tolerance for the count of differing elements' },
    on: {
      input: () => {
        const v = Number(input.value);
        if (!Number.isFinite(v) || v < 0) return;
        tol = v;
        onToleranceChange(v);
        for (const f of listeners) f();
      },
    },
  });
  const slots = older.event.tensors.map((t) => t.slot).filter((s) => newer.event.tensors.some((t) => t.slot === s));
  const body = h('div', { class: 'ml-diff-body' }, h('p', { class: 'ml-muted' }, 'Loading values…'));
  const closeButton = h('button', { class: 'ml-button', attrs: { type: 'button' }, on: { click: onClose } }, 'Close diff');
  const el = h('section', { class: 'ml-diff', attrs: { 'aria-label': 'Diff' } },
    h('div', { class: 'ml-diff-head' },
      h('h4', null, `Diff: ${eventLabel(newer)} − ${eventLabel(older)}`),
      h('label', { class: 'ml-field' }, 'tolerance ', input),
      closeButton),
    body);
  void Promise.all(slots.map((s) => slotDiff(older, newer, s, values, () => tol, (f) => listeners.push(f)))).then((blocks) => {
    replaceChildren(body, ...(blocks.length ? blocks : [h('p', { class: 'ml-muted' }, 'The two events share no tensor slot.')]));
  });
  return el;
}
