/**
 * Side-by-side timing: warm-up, interleaved repetitions, medians and paired ratios.
 *
 * Variants of one measurement run in the same round, one after the other, with the order rotated
 * every round, so drift (other processes, thermal, GC) hits them alike. A ratio is the median
 * over rounds of the two variants' times in the same round; a time is the median over rounds.
 */
import * as tf from '@tensorflow/tfjs';

/** One way of running the same work. */
export interface Variant {
  readonly name: string;
  /** Untimed, before each repetition (register hooks, say). */
  enter?(): void;
  /**
   * The timed work. Runs inside `tf.tidy`; the returned tensor is read (one value) before the
   * clock stops, so backends that run asynchronously are measured to completion.
   */
  run(): tf.Tensor;
  /** Untimed, after each repetition (remove hooks, clear gradients, drop captures). */
  exit?(): void;
}

/** How many rounds to run. */
export interface MeasureOptions {
  /** Untimed rounds first (default 1). */
  warmup?: number;
  /** Fewest timed rounds (default 3). */
  minReps?: number;
  /** Most timed rounds (default 15). */
  maxReps?: number;
  /** Time the timed rounds should take in all, from the warm-up's pace (default 10 s). */
  budgetMs?: number;
}

/** What {@link measure} found. */
export interface Measurement {
  /** Milliseconds per round, per variant, in round order. */
  readonly samples: Readonly<Record<string, number[]>>;
  /** Median milliseconds per variant. */
  readonly median: Readonly<Record<string, number>>;
  readonly reps: number;
  readonly warmup: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The value below which `q` (0–1) of `values` lie, interpolated. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/** `num`'s time divided by `den`'s, round by round. */
export function pairedRatios(m: Measurement, num: string, den: string): number[] {
  const b = m.samples[den];
  return m.samples[num].map((t, i) => t / b[i]);
}

/** Median over rounds of `num`'s time divided by `den`'s in the same round. */
export function pairedRatio(m: Measurement, num: string, den: string): number {
  return median(pairedRatios(m, num, den));
}

/** Reads one element of `t`, which waits for the work that produced it. */
export function readOne(t: tf.Tensor): void {
  if (t.size === 0) {
    t.dataSync();
    return;
  }
  const first = tf.tidy(() => tf.slice(tf.reshape(t, [-1]), 0, 1));
  first.dataSync();
  first.dispose();
}

/** Runs one repetition of `v`; returns its milliseconds. */
export function timeOnce(v: Variant): number {
  v.enter?.();
  try {
    const start = performance.now();
    const out = tf.tidy(() => v.run());
    readOne(out);
    const ms = performance.now() - start;
    out.dispose();
    return ms;
  } finally {
    v.exit?.();
  }
}

/** Times every variant, interleaved; see the file comment. */
export function measure(variants: readonly Variant[], opts: MeasureOptions = {}): Measurement {
  const warmup = opts.warmup ?? 1;
  const minReps = opts.minReps ?? 3;
  const maxReps = opts.maxReps ?? 15;
  const budgetMs = opts.budgetMs ?? 10_000;
  const samples: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  const round = (r: number, record: boolean): number => {
    let total = 0;
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length];
      const ms = timeOnce(v);
      total += ms;
      if (record) samples[v.name].push(ms);
    }
    return total;
  };
  let roundMs = 0;
  for (let r = 0; r < warmup; r++) roundMs = round(r, false);
  const reps = Math.max(minReps, Math.min(maxReps, Math.floor(budgetMs / Math.max(roundMs, 1e-3))));
  for (let r = 0; r < reps; r++) round(r, true);
  const med: Record<string, number> = {};
  for (const v of variants) med[v.name] = median(samples[v.name]);
  return { samples, median: med, reps, warmup };
}
