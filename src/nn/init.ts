import * as tf from '@tensorflow/tfjs';

/**
 * Seeded random numbers for parameter initialisation, so `manualSeed(n)`
 * makes model construction repeatable. (The numbers differ from PyTorch's:
 * load a state dict when values must match.)
 */
let state = (Math.random() * 2 ** 32) >>> 0;

/** Seeds the generator used by layer initialisation and `Dropout`, as `torch.manual_seed`. */
export function manualSeed(seed: number): void {
  state = seed >>> 0;
}

/** A uniform float in [0, 1) (mulberry32). */
export function nextUniform(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A 32-bit seed drawn from the generator, for tfjs ops that take a seed. */
export function nextSeed(): number {
  return Math.floor(nextUniform() * 2 ** 31);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A tensor drawn from U(low, high), as `nn.init.uniform_`. */
export function uniform(shape: number[], low: number, high: number): tf.Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * nextUniform();
  return tf.tensor(data, shape, 'float32');
}

/** A tensor drawn from N(mean, std²), as `nn.init.normal_`. */
export function normal(shape: number[], mean = 0, std = 1): tf.Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i += 2) {
    const u1 = Math.max(nextUniform(), 1e-12);
    const u2 = nextUniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    data[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < data.length) data[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return tf.tensor(data, shape, 'float32');
}

/**
 * PyTorch's default for Linear and Conv weights, `kaiming_uniform_(a=√5)`,
 * which reduces to U(-1/√fan_in, 1/√fan_in); biases use the same bound.
 */
export function defaultFanInUniform(shape: number[], fanIn: number): tf.Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(shape, -bound, bound);
}
