import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/adapters/backend';
import { summarizeTensor, summarizeTensorAsync, type TensorSummary } from '../../src/adapters/tensorSummary';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain-JS reference, mirroring the float32 histogram arithmetic step by step. */
function reference(values: ArrayLike<number>, bins: number) {
  const f = Math.fround;
  const all = Array.from(values);
  const finite = all.filter(Number.isFinite);
  const n = finite.length;
  const min = n ? Math.min(...finite) : NaN;
  const max = n ? Math.max(...finite) : NaN;
  const mean = n ? finite.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  const counts = new Array<number>(bins).fill(0);
  let lo = NaN;
  let hi = NaN;
  if (n) {
    lo = min === max ? f(min - 1) : min;
    hi = min === max ? f(max + 1) : max;
    const halfLo = f(lo * 0.5);
    const scale = f(bins / f(f(hi * 0.5) - halfLo));
    for (const v of finite) {
      const raw = Math.floor(f(f(f(v * 0.5) - halfLo) * scale));
      counts[Math.min(Math.max(raw, 0), bins - 1)] += 1;
    }
  }
  return {
    stats: {
      min, max, mean, std,
      nan: all.filter(Number.isNaN).length,
      inf: all.filter((v) => v === Infinity || v === -Infinity).length,
      zeros: all.filter((v) => v === 0).length,
    },
    histogram: { min: lo, max: hi, counts },
  };
}

function close(actual: number, expected: number, scale: number, what: string): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= 1e-4 * Math.max(1, scale), `${what}: ${actual} vs ${expected}`);
}

function check(summary: TensorSummary, t: tf.Tensor, flat: ArrayLike<number>, bins: number, inline: boolean): void {
  const ref = reference(flat, bins);
  assert.deepEqual(summary.shape, t.shape);
  assert.equal(summary.dtype, t.dtype);
  assert.equal(summary.size, t.size);
  const scale = Math.max(Math.abs(ref.stats.mean) || 0, ref.stats.std || 0, Math.abs(ref.stats.min) || 0);
  assert.equal(summary.stats.min, ref.stats.min);
  assert.equal(summary.stats.max, ref.stats.max);
  close(summary.stats.mean, ref.stats.mean, scale, 'mean');
  close(summary.stats.std, ref.stats.std, scale, 'std');
  assert.equal(summary.stats.nan, ref.stats.nan);
  assert.equal(summary.stats.inf, ref.stats.inf);
  assert.equal(summary.stats.zeros, ref.stats.zeros);
  assert.equal(summary.histogram.min, ref.histogram.min);
  assert.equal(summary.histogram.max, ref.histogram.max);
  assert.deepEqual(summary.histogram.counts, ref.histogram.counts);
  if (inline) {
    assert.deepEqual(summary.values, Array.from(flat));
  } else {
    assert.equal(summary.values, undefined);
  }
}

/** Random float32 data with some NaN, ±Inf and exact zeros sprinkled in. */
function randomData(size: number, seed: number, spread = 10): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const r = next();
    out[i] = r < 0.03 ? NaN : r < 0.05 ? Infinity : r < 0.06 ? -Infinity : r < 0.1 ? 0 : (next() - 0.3) * spread;
  }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: random float data with NaN/Inf matches the JS reference`, async () => {
    assert.equal((await selectBackend(backend)).backend, backend);
    const base = tf.memory().numTensors;
    for (const [i, shape] of [[1000], [7, 13], [2, 3, 4, 5], [1], [5000]].entries()) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = randomData(size, 17 + i, 10 ** (i - 1));
      const t = tf.tensor(data, shape, 'float32');
      for (const bins of [32, 1, 7]) {
        check(summarizeTensor(t, { bins }), t, data, bins, size <= 4096);
      }
      t.dispose();
    }
    assert.equal(tf.memory().numTensors, base);
  });

  test(`${backend}: empty, scalar, int32, bool and degenerate tensors`, async () => {
    await selectBackend(backend);
    const base = tf.memory().numTensors;
    const cases: Array<[tf.Tensor, number[]]> = [
      [tf.tensor1d([], 'float32'), []],
      [tf.zeros([2, 0, 3]), []],
      [tf.scalar(3.5), [3.5]],
      [tf.scalar(-2, 'int32'), [-2]],
      [tf.tensor2d([[1, -5, 7], [0, 0, 123456]], [2, 3], 'int32'), [1, -5, 7, 0, 0, 123456]],
      [tf.tensor1d([true, false, true, true], 'bool'), [1, 0, 1, 1]],
      [tf.tensor1d([NaN, NaN, Infinity]), [NaN, NaN, Infinity]],
      [tf.fill([4, 4], 2), new Array<number>(16).fill(2)],
      [tf.tensor1d([3e38, -3e38, 0]), [Math.fround(3e38), Math.fround(-3e38), 0]],
    ];
    for (const [t, flat] of cases) {
      const s = summarizeTensor(t);
      check(s, t, flat, 32, true);
      t.dispose();
    }
    assert.equal(tf.memory().numTensors, base);
  });
}

test('scalar summary is fully specified', async () => {
  await selectBackend('cpu');
  const t = tf.scalar(3.5);
  const s = summarizeTensor(t);
  t.dispose();
  assert.deepEqual(s.shape, []);
  assert.deepEqual(s.stats, { min: 3.5, max: 3.5, mean: 3.5, std: NaN, nan: 0, inf: 0, zeros: 0 });
  // torch.histc(tensor([3.5]), bins=32) widens to [2.5, 4.5]: the value lands in bin 16.
  assert.deepEqual(s.histogram.min, 2.5);
  assert.equal(s.histogram.counts.indexOf(1), 16);
  assert.deepEqual(s.values, [3.5]);
});

test('values are inlined only up to maxInline', async () => {
  await selectBackend('cpu');
  const t = tf.range(0, 10);
  assert.equal(summarizeTensor(t, { maxInline: 9 }).values, undefined);
  assert.deepEqual(summarizeTensor(t, { maxInline: 10 }).values, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.dispose();
});

test('one read per summary, none for empty tensors', async () => {
  await selectBackend('cpu');
  const t = tf.tensor(randomData(300, 5), [30, 10]);
  const empty = tf.tensor1d([]);
  let reads = 0;
  const proto = tf.Tensor.prototype as unknown as Record<'dataSync' | 'data' | 'arraySync' | 'array', (...a: unknown[]) => unknown>;
  const saved = { dataSync: proto.dataSync, data: proto.data, arraySync: proto.arraySync, array: proto.array };
  for (const name of Object.keys(saved) as Array<keyof typeof saved>) {
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      reads++;
      return saved[name].apply(this, args);
    };
  }
  try {
    summarizeTensor(t);
    assert.equal(reads, 1);
    await summarizeTensorAsync(t);
    assert.equal(reads, 2);
    summarizeTensor(empty);
    assert.equal(reads, 2);
  } finally {
    Object.assign(proto, saved);
    t.dispose();
    empty.dispose();
  }
});

test('async variant equals the sync one and leaks nothing', async () => {
  await selectBackend('wasm');
  const base = tf.memory().numTensors;
  const data = randomData(2000, 99);
  const t = tf.tensor(data, [20, 100]);
  const [sync, asyncSummary] = [summarizeTensor(t, { bins: 16 }), await summarizeTensorAsync(t, { bins: 16 })];
  assert.deepEqual(asyncSummary, sync);
  check(asyncSummary, t, data, 16, true);
  t.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('string tensors get shape and dtype only; bad bins are rejected', async () => {
  await selectBackend('cpu');
  const s = tf.tensor1d(['a', 'b']);
  const summary = summarizeTensor(s);
  assert.equal(summary.dtype, 'string');
  assert.equal(summary.size, 2);
  assert.equal(summary.values, undefined);
  assert.throws(() => summarizeTensor(s, { bins: 0 }), /bins must be a positive integer/);
  s.dispose();
});
