/**
 * Index math for the channel grid: a 4-D (N, C, H, W) or 3-D (C, H, W) tensor
 * seen as one H × W image per channel of one batch item. The channel dimension
 * can also be the last one (tfjs' NHWC / HWC). A page holds at most
 * `maxChannels` channels; each image is sampled (nearest) down to `maxSide` a
 * side. Pure functions, unit-tested in Node.
 */
import { strides } from './slicing';

/** Which dimension is what. `batchDim` is -1 for a 3-D tensor. */
export interface ChannelLayout {
  readonly batchDim: number;
  readonly channelDim: number;
  readonly rowDim: number;
  readonly colDim: number;
}

/** What a card's channel grid shows, kept in the webview state per tensor. */
export interface ChannelView {
  /** The card shows the channel grid rather than the single slice. */
  readonly shown: boolean;
  readonly channelDim: number;
  readonly batch: number;
  /** First channel of the page drawn. */
  readonly first: number;
}

/** A saved {@link ChannelView}, or `undefined` when it is not one (it may come from an older build). */
export function validChannelView(v: unknown): ChannelView | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Record<string, unknown>;
  const index = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return typeof c.shown === 'boolean' && index(c.channelDim) && index(c.batch) && index(c.first)
    ? { shown: c.shown, channelDim: c.channelDim as number, batch: c.batch as number, first: c.first as number }
    : undefined;
}

/** Most channels drawn at once; more are paged. */
export const MAX_CHANNELS = 64;

/** True for the shapes the channel grid draws: 3-D and 4-D with something in them. */
export function hasChannels(shape: readonly number[]): boolean {
  return (shape.length === 3 || shape.length === 4) && shape.every((d) => d > 0);
}

/** The dimensions that can be the channels: the first after the batch (NCHW, CHW) or the last (NHWC, HWC). */
export function channelDimChoices(shape: readonly number[]): number[] {
  return shape.length === 4 ? [1, 3] : [0, 2];
}

/** The layout with channels at `channelDim` (default: NCHW / CHW); the other two are rows and columns, in order. */
export function channelLayout(shape: readonly number[], channelDim?: number): ChannelLayout {
  const batchDim = shape.length === 4 ? 0 : -1;
  const choices = channelDimChoices(shape);
  const c = channelDim !== undefined && choices.includes(channelDim) ? channelDim : choices[0];
  const [rowDim, colDim] = shape.map((_, d) => d).filter((d) => d !== batchDim && d !== c);
  return { batchDim, channelDim: c, rowDim, colDim };
}

/** The cells of one page of channel images. */
export interface ChannelPage {
  /** Channels drawn, in order. */
  readonly channels: readonly number[];
  /** Channels in the tensor. */
  readonly total: number;
  /** Source size of an image, and the drawn (sampled) size. */
  readonly R: number;
  readonly C: number;
  readonly rows: number;
  readonly cols: number;
  /** Flat source index of every drawn cell: channel-major, then row-major within an image. */
  readonly index: Float64Array;
}

/**
 * The flat indices of channels `[first, first + maxChannels)` of batch item `batch`.
 * Out-of-range `batch` and `first` are clamped.
 */
export function channelPage(shape: readonly number[], layout: ChannelLayout, batch: number, first: number, maxChannels = MAX_CHANNELS, maxSide = 64): ChannelPage {
  const st = strides(shape);
  const total = shape[layout.channelDim];
  const R = shape[layout.rowDim];
  const C = shape[layout.colDim];
  const n = layout.batchDim >= 0 ? Math.min(Math.max(0, Math.floor(batch) || 0), shape[layout.batchDim] - 1) : 0;
  const start = Math.min(Math.max(0, Math.floor(first) || 0), Math.max(0, total - 1));
  const channels = Array.from({ length: Math.max(0, Math.min(maxChannels, total - start)) }, (_, k) => start + k);
  const rows = Math.min(R, maxSide);
  const cols = Math.min(C, maxSide);
  const base = layout.batchDim >= 0 ? n * st[layout.batchDim] : 0;
  const cells = rows * cols;
  const index = new Float64Array(channels.length * cells);
  channels.forEach((ch, k) => {
    const chBase = base + ch * st[layout.channelDim];
    for (let i = 0; i < rows; i++) {
      const r = Math.floor((i * R) / rows);
      for (let j = 0; j < cols; j++) {
        index[k * cells + i * cols + j] = chBase + r * st[layout.rowDim] + Math.floor((j * C) / cols) * st[layout.colDim];
      }
    }
  });
  return { channels, total, R, C, rows, cols, index };
}
