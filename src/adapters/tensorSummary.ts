/**
 * Summaries of tensors for hook events, the CLI and the extension's tensor views.
 *
 * Hooks summarize every module's output on every call, so this is on the hot path. Each summary
 * reads the tensor once, and how depends on where the backend keeps it:
 *
 * - `cpu` and `wasm` hold tensors in this process's memory, where one read is a copy at most.
 *   The values are read once (`dataSync()`; on wasm a view of its heap, with no copy) and
 *   summarized in two plain loops, several times cheaper than the ~35 element-wise backend ops
 *   of the packed path below (on wasm, a 262,144-element activation: 12.4 ms packed, 2.1 ms
 *   here; see docs/benchmarks.md).
 * - Other backends (GPU-like, and `tensorflow` until it is measured) compute every number on
 *   the backend inside one `tf.tidy`, pack them into one float32 vector and read that back:
 *   there, every read is a round trip and the tensor itself may be large.
 *
 * Both paths give the same numbers: the histogram arithmetic is float32 on both (`Math.fround`
 * mirrors each backend op), min/max/counts are exact, mean and std agree to float32 rounding.
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
  if (readsAreLocal()) {
    return summarizeValues(t, bins, inline, heapView(t) ?? t.dataSync());
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
  if (readsAreLocal()) {
    return summarizeValues(t, bins, inline, heapView(t) ?? ((await t.data()) as tf.TypedArray));
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

/** Backends whose tensors live in this process's memory, so reading one costs a copy at most. */
const LOCAL_BACKENDS = new Set(['cpu', 'wasm']);

function readsAreLocal(): boolean {
  return LOCAL_BACKENDS.has(tf.getBackend());
}

/** The two public methods of tfjs-backend-wasm's `BackendWasm` that {@link heapView} uses. */
interface WasmHeap {
  dataIdMap: { has(dataId: object): boolean };
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: object }): tf.TypedArray;
}

/**
 * On wasm, the tensor's values as a view of the wasm heap: `dataSync()` copies them first, which
 * made a 262,144-element summary 25% slower. The view is valid until the next wasm allocation;
 * the summary loops call no wasm code and keep no reference to it. `null` on other backends and
 * for a tensor the wasm backend does not hold (disposed, or still on another backend).
 */
function heapView(t: tf.Tensor): tf.TypedArray | null {
  if (tf.getBackend() !== 'wasm' || t.isDisposed) return null;
  const heap = tf.backend() as unknown as Partial<WasmHeap>;
  if (typeof heap.typedArrayFromHeap !== 'function' || !heap.dataIdMap?.has(t.dataId)) return null;
  return heap.typedArrayFromHeap({ shape: t.shape, dtype: t.dtype, dataId: t.dataId });
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

/**
 * The same summary as {@link pack} + {@link unpack}, computed from the values in two loops:
 * min, max, sum and zeros, then squared deviations (two passes: no cancellation) and the
 * histogram. Sums are float64, so nothing overflows; the histogram index repeats pack()'s
 * float32 steps with `Math.fround`, so every value lands in the same bin on both paths.
 */
function summarizeValues(t: tf.Tensor, bins: number, inline: boolean, read: tf.TypedArray): TensorSummary {
  // int32 and bool are summarized as float32, as pack() casts them (int32 beyond 2^24 rounds).
  const x = read instanceof Float32Array ? read : Float32Array.from(read);
  const summary = unpack(t, bins, inline, null);
  if (inline) summary.values = Array.from(x);
  const first = allFiniteFirstPass(x) ?? checkedFirstPass(x);
  const stats = summary.stats;
  stats.nan = first.nan;
  stats.inf = first.inf;
  stats.zeros = first.zeros;
  if (first.finite === 0) return summary;

  const f = Math.fround;
  const { min, max, finite } = first;
  const mean = first.sum / finite;
  const lo = min === max ? f(min - 1) : min;
  const hi = min === max ? f(max + 1) : max;
  const halfLo = f(lo * 0.5);
  const perBin = f(bins / f(f(hi * 0.5) - halfLo));
  const { counts, sumSq } = first.nan + first.inf === 0 && bins <= MAX_LANE_BINS
    ? secondPassAllFinite(x, mean, halfLo, perBin, bins)
    : secondPassChecked(x, mean, halfLo, perBin, bins);
  stats.min = min;
  stats.max = max;
  stats.mean = mean;
  if (finite > 1) stats.std = Math.sqrt(sumSq / (finite - 1));
  summary.histogram = { min: lo, max: hi, counts };
  return summary;
}

/** Above this many bins the four counter lanes are not worth their memory. */
const MAX_LANE_BINS = 65536;

/** Squared deviations from the mean, and the histogram counts. */
interface SecondPass { sumSq: number; counts: number[] }

/**
 * Second pass when every value is finite: unrolled by four, each lane with its own counters.
 *
 * A value's bin is pack()'s float32 arithmetic, `floor(((v/2) - lo/2) * perBin)`, with
 * `Math.fround` after each step. It is never negative for `lo <= v` (every step rounds
 * monotonically), so truncation (`<< 2`, `| 0`) is the floor; the maximum may land on index
 * `bins`, which belongs to the last bin (torch.histc's closed top edge).
 */
function secondPassAllFinite(x: Float32Array, mean: number, halfLo: number, perBin: number, bins: number): SecondPass {
  const f = Math.fround;
  const n = x.length;
  // Four interleaved counter sets: consecutive values that hit the same bin (half of a ReLU
  // output is exactly zero) do not wait on each other's increments.
  const lanes = new Int32Array((bins + 1) * 4);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const a = x[i];
    const b = x[i + 1];
    const c = x[i + 2];
    const d = x[i + 3];
    const da = a - mean;
    const db = b - mean;
    const dc = c - mean;
    const dd = d - mean;
    s0 += da * da + db * db;
    s1 += dc * dc + dd * dd;
    lanes[(f(f(f(a * 0.5) - halfLo) * perBin) << 2)]++;
    lanes[(f(f(f(b * 0.5) - halfLo) * perBin) << 2) | 1]++;
    lanes[(f(f(f(c * 0.5) - halfLo) * perBin) << 2) | 2]++;
    lanes[(f(f(f(d * 0.5) - halfLo) * perBin) << 2) | 3]++;
  }
  for (; i < n; i++) {
    const v = x[i];
    const dv = v - mean;
    s0 += dv * dv;
    lanes[(f(f(f(v * 0.5) - halfLo) * perBin) << 2)]++;
  }
  const counts = new Array<number>(bins);
  for (let k = 0; k < bins; k++) counts[k] = lanes[4 * k] + lanes[4 * k + 1] + lanes[4 * k + 2] + lanes[4 * k + 3];
  counts[bins - 1] += lanes[4 * bins] + lanes[4 * bins + 1] + lanes[4 * bins + 2] + lanes[4 * bins + 3];
  return { sumSq: s0 + s1, counts };
}

/** Second pass when NaN or ±Inf are present: the same over the finite values only. */
function secondPassChecked(x: Float32Array, mean: number, halfLo: number, perBin: number, bins: number): SecondPass {
  const f = Math.fround;
  const raw = new Int32Array(bins + 1);
  let sumSq = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) continue;
    const d = v - mean;
    sumSq += d * d;
    raw[f(f(f(v * 0.5) - halfLo) * perBin) | 0]++;
  }
  raw[bins - 1] += raw[bins];
  return { sumSq, counts: Array.from(raw.subarray(0, bins)) };
}

interface FirstPass { finite: number; nan: number; inf: number; zeros: number; min: number; max: number; sum: number }

/**
 * The first pass for the usual case, without a test per value: a float64 sum of float32 values
 * cannot overflow, so it is finite exactly when every value is. Returns `null` otherwise.
 * Zeros are counted from the bits (`-0` too), with no branch to mispredict on ReLU outputs.
 */
function allFiniteFirstPass(x: Float32Array): FirstPass | null {
  const n = x.length;
  const bits = new Int32Array(x.buffer, x.byteOffset, n);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonZero = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    nonZero += (0 - (bits[i] & 0x7fffffff)) >>> 31;
  }
  if (sum - sum !== 0) return null;
  return { finite: n, nan: 0, inf: 0, zeros: n - nonZero, min, max, sum };
}

/** The first pass when NaN or ±Inf are present: min, max and sum over the finite values only. */
function checkedFirstPass(x: Float32Array): FirstPass {
  const r: FirstPass = { finite: 0, nan: 0, inf: 0, zeros: 0, min: Infinity, max: -Infinity, sum: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v === 0) {
      r.finite++;
      r.sum += v;
      if (v < r.min) r.min = v;
      if (v > r.max) r.max = v;
      if (v === 0) r.zeros++;
    } else if (v !== v) {
      r.nan++;
    } else {
      r.inf++;
    }
  }
  return r;
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
