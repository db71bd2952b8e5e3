import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { pyBool, pyIntOrTuple, pyOptional } from '../pyRepr';
import { layerArgs, ntuple } from './layerArgs';

type IntOrPair = number | number[];

/** Runs `op` on an NCHW (or CHW) tensor through tfjs's NHWC layout. */
function viaNhwc(x: tf.Tensor, layer: string, op: (nhwc: tf.Tensor4D) => tf.Tensor4D): tf.Tensor {
  const batched = x.rank === 3 ? x.expandDims(0) : x;
  if (batched.rank !== 4) throw new Error(`${layer} expects 3-D or 4-D input (C,H,W or N,C,H,W), got shape [${x.shape.join(', ')}]`);
  const out = op(batched.transpose([0, 2, 3, 1]) as tf.Tensor4D).transpose([0, 3, 1, 2]);
  return x.rank === 3 ? out.squeeze([0]) : out;
}

/** Extra right padding that `ceil_mode=True` needs, by PyTorch's output-size rule. */
function ceilExtra(size: number, k: number, s: number, p: number, d: number): number {
  const span = d * (k - 1) + 1;
  let out = Math.ceil((size + 2 * p - span) / s) + 1;
  if ((out - 1) * s >= size + p) out -= 1;
  return Math.max(0, (out - 1) * s + span - (size + 2 * p));
}

/** Options of {@link MaxPool2d}. */
export interface MaxPool2dOptions { stride?: IntOrPair | null; padding?: IntOrPair; dilation?: IntOrPair; return_indices?: boolean; ceil_mode?: boolean }

/** 2-D max pooling over NCHW input, as `torch.nn.MaxPool2d`. */
export class MaxPool2d extends Module {
  declare kernel_size: IntOrPair;
  declare stride: IntOrPair;
  declare padding: IntOrPair;
  declare dilation: IntOrPair;
  declare ceil_mode: boolean;

  constructor(kernel_size: IntOrPair, ...rest: (IntOrPair | boolean | null | MaxPool2dOptions)[]) {
    super();
    const o = layerArgs('MaxPool2d', ['stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'], rest,
      { stride: null, padding: 0, dilation: 1, return_indices: false, ceil_mode: false } as Required<MaxPool2dOptions>);
    if (o.return_indices) throw new Error('MaxPool2d: return_indices=True is not supported');
    this.kernel_size = kernel_size;
    this.stride = o.stride ?? kernel_size;
    this.padding = o.padding;
    this.dilation = o.dilation;
    this.ceil_mode = o.ceil_mode;
    const [k, p] = [ntuple(kernel_size, 2, 'kernel_size'), ntuple(o.padding, 2, 'padding')];
    if (p.some((pi, i) => pi > k[i] / 2)) throw new Error(`pad should be at most half of effective kernel size, but got pad=${pyIntOrTuple(o.padding)}, kernel_size=${pyIntOrTuple(kernel_size)}`);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const k = ntuple(this.kernel_size, 2, 'kernel_size') as [number, number];
    const s = ntuple(this.stride, 2, 'stride') as [number, number];
    const p = ntuple(this.padding, 2, 'padding');
    const d = ntuple(this.dilation, 2, 'dilation') as [number, number];
    return tf.tidy(() => viaNhwc(x, 'MaxPool2d', (nhwc) => {
      const [, h, w] = nhwc.shape;
      const extra = this.ceil_mode ? [ceilExtra(h, k[0], s[0], p[0], d[0]), ceilExtra(w, k[1], s[1], p[1], d[1])] : [0, 0];
      // Padding is -Infinity so it never wins the max, as in PyTorch.
      const padded = p[0] + p[1] + extra[0] + extra[1] > 0
        ? tf.pad(nhwc, [[0, 0], [p[0], p[0] + extra[0]], [p[1], p[1] + extra[1]], [0, 0]], -Infinity)
        : nhwc;
      if (d[0] === 1 && d[1] === 1) return tf.maxPool(padded, k, s, 'valid');
      return tf.pool(padded, k, 'max', 'valid', d, s) as tf.Tensor4D;
    }));
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceil_mode)}`;
  }
}

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dOptions { stride?: IntOrPair | null; padding?: IntOrPair; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null }

/** 2-D average pooling over NCHW input, as `torch.nn.AvgPool2d` (padding counts by default). */
export class AvgPool2d extends Module {
  declare kernel_size: IntOrPair;
  declare stride: IntOrPair;
  declare padding: IntOrPair;
  declare ceil_mode: boolean;
  declare count_include_pad: boolean;
  declare divisor_override: number | null;

  constructor(kernel_size: IntOrPair, ...rest: (IntOrPair | boolean | null | AvgPool2dOptions)[]) {
    super();
    const o = layerArgs('AvgPool2d', ['stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'], rest,
      { stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null } as Required<AvgPool2dOptions>);
    if (o.ceil_mode) throw new Error('AvgPool2d: ceil_mode=True is not supported');
    this.kernel_size = kernel_size;
    this.stride = o.stride ?? kernel_size;
    this.padding = o.padding;
    this.ceil_mode = o.ceil_mode;
    this.count_include_pad = o.count_include_pad;
    this.divisor_override = o.divisor_override;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const k = ntuple(this.kernel_size, 2, 'kernel_size') as [number, number];
    const s = ntuple(this.stride, 2, 'stride') as [number, number];
    const p = ntuple(this.padding, 2, 'padding');
    return tf.tidy(() => viaNhwc(x, 'AvgPool2d', (nhwc) => {
      const pads: [number, number][] = [[0, 0], [p[0], p[0]], [p[1], p[1]], [0, 0]];
      const padded = p[0] + p[1] > 0 ? tf.pad(nhwc, pads) : nhwc;
      const mean = tf.avgPool(padded, k, s, 'valid');
      if (this.divisor_override) return tf.mul(mean, (k[0] * k[1]) / this.divisor_override);
      if (this.count_include_pad || p[0] + p[1] === 0) return mean;
      // Average over the real cells only: divide by the share of each window that is not padding.
      const ones = tf.pad(tf.ones([1, nhwc.shape[1], nhwc.shape[2], 1]), pads);
      return tf.div(mean, tf.avgPool(ones as tf.Tensor4D, k, s, 'valid'));
    }));
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

/** Averaging matrix `[out, size]` of PyTorch's adaptive pooling windows. */
function adaptiveMatrix(size: number, out: number): tf.Tensor2D {
  const m = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return tf.tensor2d(m, [out, size]);
}

/** Average pooling to a fixed output size over NCHW input, as `torch.nn.AdaptiveAvgPool2d`. */
export class AdaptiveAvgPool2d extends Module {
  declare output_size: number | (number | null)[];

  constructor(output_size: number | (number | null)[]) {
    super();
    this.output_size = output_size;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const batched = x.rank === 3 ? x.expandDims(0) : x;
      if (batched.rank !== 4) throw new Error(`AdaptiveAvgPool2d expects 3-D or 4-D input, got shape [${x.shape.join(', ')}]`);
      const [n, c, h, w] = batched.shape;
      const sizes = typeof this.output_size === 'number' ? [this.output_size, this.output_size] : this.output_size;
      const oh = sizes[0] ?? h;
      const ow = sizes[1] ?? w;
      let out: tf.Tensor;
      if (oh === 1 && ow === 1) {
        out = tf.mean(batched, [2, 3], true);
      } else {
        // Separable: average columns, then rows, each as one matmul.
        const cols = tf.matMul(batched.reshape([n * c * h, w]), adaptiveMatrix(w, ow), false, true);
        const t = cols.reshape([n * c, h, ow]).transpose([0, 2, 1]).reshape([n * c * ow, h]);
        const rows = tf.matMul(t, adaptiveMatrix(h, oh), false, true);
        out = rows.reshape([n, c, ow, oh]).transpose([0, 1, 3, 2]);
      }
      return x.rank === 3 ? out.squeeze([0]) : out;
    });
  }

  override extraRepr(): string {
    const s = this.output_size;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => pyOptional(v, String)).join(', ')})`}`;
  }
}
