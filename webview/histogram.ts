/**
 * A tensor's histogram on a canvas: the server's bin counts over
 * `[min, max]` of the finite values, bars in the theme's chart colour, with
 * the range under it and a marker at zero when zero is inside the range.
 */
import type { TensorSummaryJson } from '../src/protocol/runs';
import { h, sizeCanvas, themeColor } from './dom';
import { formatCount, formatNumber } from './format';

const WIDTH = 280;
const HEIGHT = 72;

/** Draws the bars; exported for the tests that look at the pixels. */
export function drawHistogram(canvas: HTMLCanvasElement, hist: NonNullable<TensorSummaryJson['histogram']>): void {
  const ctx = sizeCanvas(canvas, WIDTH, HEIGHT);
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  const counts = hist.counts;
  const peak = Math.max(1, ...counts);
  const bar = WIDTH / Math.max(1, counts.length);
  ctx.fillStyle = themeColor('--vscode-charts-blue', '#3794ff');
  counts.forEach((c, i) => {
    if (c <= 0) return;
    // At least 2 px, so a bin with a single value is still visible next to a huge one.
    const height = Math.max(2, (c / peak) * (HEIGHT - 4));
    ctx.fillRect(i * bar + 0.5, HEIGHT - height, Math.max(1, bar - 1), height);
  });
  if (hist.min < 0 && hist.max > 0) {
    const x = ((0 - hist.min) / (hist.max - hist.min)) * WIDTH;
    ctx.fillStyle = themeColor('--vscode-editorWarning-foreground', '#cca700');
    ctx.fillRect(Math.round(x), 0, 1, HEIGHT);
  }
  ctx.fillStyle = themeColor('--vscode-descriptionForeground', '#888888');
  ctx.fillRect(0, HEIGHT - 1, WIDTH, 1);
}

/** The histogram block of a tensor card. */
export function histogramView(summary: TensorSummaryJson): HTMLElement {
  const hist = summary.histogram;
  if (!hist) {
    return h('div', { class: 'ml-histogram ml-muted' }, summary.size ? 'No histogram: the tensor has no finite values.' : 'No histogram: the tensor is empty.');
  }
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const canvas = h('canvas', {
    class: 'ml-histogram-canvas',
    attrs: { role: 'img', 'aria-label': `Histogram of ${total} finite values in ${hist.counts.length} bins from ${formatNumber(hist.min)} to ${formatNumber(hist.max)}` },
  });
  drawHistogram(canvas, hist);
  const peakBin = hist.counts.indexOf(Math.max(...hist.counts));
  const binWidth = (hist.max - hist.min) / Math.max(1, hist.counts.length);
  return h('figure', { class: 'ml-histogram' },
    canvas,
    h('figcaption', { class: 'ml-axis' },
      h('span', null, formatNumber(hist.min)),
      h('span', { class: 'ml-muted' }, `${hist.counts.length} bins · peak ${formatCount(hist.counts[peakBin] ?? 0)} near ${formatNumber(hist.min + (peakBin + 0.5) * binWidth)}`),
      h('span', null, formatNumber(hist.max))));
}
