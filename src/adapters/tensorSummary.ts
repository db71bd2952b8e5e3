/**
 * Summaries of tensors for hook events, the CLI and the extension's tensor views.
 *
 * Every number is computed on the backend inside one `tf.tidy`, packed into one float32 vector
 * and read back with one `dataSync()`/`data()`: on wasm and GPU-like backends every read is a
 * round trip, and hooks summarize every module's inputs and outputs on every call.
 */
import * as tf from '@tensorflow/tfjs';

/** Statistics over the tensor's values; `min`/`max`/`mean`/`std` consider finite values only. */
export interface TensorStats {
  /** Smallest finite value, `NaN` when there is none. */
  min: number;
  /** Largest finite value, `NaN` when there is none. */
  max: number;
  /** Mean of the finite values, `NaN` when there is none. */
  mean: number;
  /** Unbiased standard deviation of the finite values, like `torch.std`; `NaN` below two values. */
  std: number;
  /** Number of NaN values. */
  nan: number;
  /** Number of +Inf and -Inf values. */
  inf: number;
  /** Number of values equal to zero (including -0). */
  zeros: number;
}

/** Equal-width bins over `[min, max]` of the finite values, like `torch.histc`. */
export interface TensorHistogram {
  /** Lower edge of the first bin (`NaN` without finite values). */
  min: number;
  /** Upper edge of the last bin, which is closed (`NaN` without finite values). */
  max: number;
  /** Count of finite values per bin; `bins` entries. */
  counts: number[];
}

/** What {@link summarizeTensor} returns. */
export interface TensorSummary {
  shape: number[];
  dtype: tf.DataType;
  size: number;
  stats: TensorStats;
  histogram: TensorHistogram;
  /** The flat values in row-major order, present when `size <= maxInline`. */
  values?: number[];
}

/** Options for {@link summarizeTensor}. */
export interface SummaryOptions {
  /** Number of histogram bins (default 32). */
  bins?: number;
  /** Include the flat values when the tensor has at most this many elements (default 4096). */
  maxInline?: number;
}

/**
 * Positions of the scalars at the start of the packed vector; counts then values follow.
 * (A plain object, not a `const enum`, so transpile-only builds keep working.)
 */
const Slot = {
  Finite: 0,
  Nan: 1,
  Inf: 2,
  Zeros: 3,
  Min: 4,
  Max: 5,
  MeanScaled: 6,
  SumSqScaled: 7,
  Scale: 8,
  HistMin: 9,
  HistMax: 10,
  Count: 11,
} as const;

/**
 * Summarizes `t` with one synchronous read. `t` is not disposed; nothing else is left behind.
 *
 * Numbers travel as float32, so int32 values beyond 2^24 and counts beyond 2^24 elements are
 * rounded. `string` tensors get shape, dtype and size only (statistics `NaN`, no values).
 */
export function summarizeTensor(t: tf.Tensor, opts: SummaryOptions = {}): TensorSummary {
  const { bins, inline } = resolve(t, opts);
  if (!isNumeric(t) || t.size === 0) {
    return unpack(t, bins, inline, null);
  }
  const packed = pack(t, bins, inline);
  try {
    return unpack(t, bins, inline, packed.dataSync() as Float32Array);
  } finally {
    packed.dispose();
  }
}

/** Like {@link summarizeTensor}, but reads with `data()` so the backend is not blocked on. */
export async function summarizeTensorAsync(t: tf.Tensor, opts: SummaryOptions = {}): Promise<TensorSummary> {
  const { bins, inline } = resolve(t, opts);
  if (!isNumeric(t) || t.size === 0) {
    return unpack(t, bins, inline, null);
  }
  const packed = pack(t, bins, inline);
  try {
    return unpack(t, bins, inline, (await packed.data()) as Float32Array);
  } finally {
    packed.dispose();
  }
}

function resolve(t: tf.Tensor, opts: SummaryOptions): { bins: number; inline: boolean } {
  const bins = opts.bins ?? 32;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`bins must be a positive integer, got ${bins}`);
  }
  return { bins, inline: t.size <= (opts.maxInline ?? 4096) };
}

function isNumeric(t: tf.Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';
}

/** Builds `[scalars..., counts..., values...]` as one float32 tensor inside one tidy. */
function pack(t: tf.Tensor, bins: number, inline: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const x = tf.cast(tf.reshape(t, [-1]), 'float32') as tf.Tensor1D;
    const finite = tf.isFinite(x);
    const count = tf.sum(tf.cast(finite, 'float32'));
    const nan = tf.sum(tf.cast(tf.isNaN(x), 'float32'));
    const inf = tf.sum(tf.cast(tf.isInf(x), 'float32'));
    const zeros = tf.sum(tf.cast(tf.equal(x, 0), 'float32'));

    // Without finite values min stays +Inf and max -Inf; unpack() turns them into NaN.
    const min = tf.min(tf.where(finite, x, tf.fill(x.shape, Infinity)));
    const max = tf.max(tf.where(finite, x, tf.fill(x.shape, -Infinity)));
    // Mean and deviations are taken on x / s, s = max |finite value|: float32 sums and squares of
    // values near ±3e38 would overflow to Infinity. The final products happen in float64 in unpack().
    const absMax = tf.maximum(tf.abs(min), tf.abs(max));
    const scale = tf.where(tf.logicalAnd(tf.isFinite(absMax), tf.greater(absMax, 0)), absMax, tf.onesLike(absMax));
    const xs = tf.where(finite, tf.div(x, scale), tf.zerosLike(x));
    const meanScaled = tf.div(tf.sum(xs), tf.maximum(count, 1));
    // Two passes (mean, then squared deviations) rather than sum of squares: no cancellation.
    const dev = tf.where(finite, tf.sub(xs, meanScaled), tf.zerosLike(x));
    const sumSqScaled = tf.sum(tf.mul(dev, dev));

    // torch.histc widens an empty range to [v - 1, v + 1] so the single value has a bin.
    const flat = tf.equal(min, max);
    const lo = tf.where(flat, tf.sub(min, 1), min);
    const hi = tf.where(flat, tf.add(max, 1), max);
    // Halving both sides is exact and keeps hi - lo finite even for ±3e38.
    const halfLo = tf.mul(lo, 0.5);
    const perBin = tf.div(tf.scalar(bins), tf.sub(tf.mul(hi, 0.5), halfLo));
    const raw = tf.floor(tf.mul(tf.sub(tf.mul(x, 0.5), halfLo), perBin));
    // The top edge belongs to the last bin; non-finite values get index `bins`, which bincount skips.
    const index = tf.where(finite, tf.clipByValue(raw, 0, bins - 1), tf.fill(x.shape, bins));
    const counts = tf.bincount(tf.cast(index, 'int32') as tf.Tensor1D, tf.tensor1d([], 'float32'), bins);

    const scalars = tf.stack([count, nan, inf, zeros, min, max, meanScaled, sumSqScaled, scale, lo, hi]);
    return tf.concat(inline ? [scalars, counts, x] : [scalars, counts]) as tf.Tensor1D;
  });
}

function unpack(t: tf.Tensor, bins: number, inline: boolean, data: Float32Array | null): TensorSummary {
  const summary: TensorSummary = {
    shape: t.shape.slice(),
    dtype: t.dtype,
    size: t.size,
    stats: { min: NaN, max: NaN, mean: NaN, std: NaN, nan: 0, inf: 0, zeros: 0 },
    histogram: { min: NaN, max: NaN, counts: new Array<number>(bins).fill(0) },
  };
  if (inline && isNumeric(t)) {
    summary.values = [];
  }
  if (data === null) {
    return summary;
  }
  const finite = data[Slot.Finite];
  summary.stats.nan = data[Slot.Nan];
  summary.stats.inf = data[Slot.Inf];
  summary.stats.zeros = data[Slot.Zeros];
  if (finite > 0) {
    summary.stats.min = data[Slot.Min];
    summary.stats.max = data[Slot.Max];
    summary.stats.mean = data[Slot.MeanScaled] * data[Slot.Scale];
    summary.histogram.min = data[Slot.HistMin];
    summary.histogram.max = data[Slot.HistMax];
  }
  if (finite > 1) {
    summary.stats.std = data[Slot.Scale] * Math.sqrt(data[Slot.SumSqScaled] / (finite - 1));
  }
  summary.histogram.counts = Array.from(data.subarray(Slot.Count, Slot.Count + bins));
  if (inline) {
    summary.values = Array.from(data.subarray(Slot.Count + bins));
  }
  return summary;
}
