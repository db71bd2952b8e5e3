import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { defaultFanInUniform } from '../init';
import { pyStr, pyTuple } from '../pyRepr';
import { layerArgs, ntuple, positiveInt } from './layerArgs';

type IntOrTuple = number | number[];

/** Options of {@link Conv1d} and {@link Conv2d}, named as PyTorch's keyword arguments. */
export interface ConvOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple | 'same' | 'valid';
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  padding_mode?: 'zeros';
}

const CONV_ARG_NAMES = ['stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode'] as const;
const CONV_DEFAULTS: Required<ConvOptions> = { stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, padding_mode: 'zeros' };

/** Shared parts of PyTorch's `_ConvNd`: arguments, parameters, repr. */
abstract class ConvNd extends Module {
  declare in_channels: number;
  declare out_channels: number;
  declare kernel_size: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare groups: number;
  declare padding_mode: string;
  declare weight: Parameter;
  declare bias: Parameter | null;

  protected init(layer: string, dims: number, inC: number, outC: number, kernel: IntOrTuple, rest: readonly unknown[]): void {
    const o = layerArgs(layer, CONV_ARG_NAMES, rest, CONV_DEFAULTS);
    this.in_channels = positiveInt(inC, 'in_channels');
    this.out_channels = positiveInt(outC, 'out_channels');
    this.groups = positiveInt(o.groups, 'groups');
    if (inC % this.groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outC % this.groups !== 0) throw new Error('out_channels must be divisible by groups');
    if (o.padding_mode !== 'zeros') throw new Error(`padding_mode '${o.padding_mode}' is not supported; only 'zeros' is`);
    this.kernel_size = ntuple(kernel, dims, 'kernel_size');
    this.stride = ntuple(o.stride, dims, 'stride');
    this.dilation = ntuple(o.dilation, dims, 'dilation');
    if (o.padding === 'same' || o.padding === 'valid') {
      if (o.padding === 'same' && this.stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
      this.padding = o.padding;
    } else {
      this.padding = ntuple(o.padding as IntOrTuple, dims, 'padding');
    }
    this.padding_mode = o.padding_mode;
    const fanIn = (inC / this.groups) * this.kernel_size.reduce((a, b) => a * b, 1);
    this.weight = new Parameter(defaultFanInUniform([outC, inC / this.groups, ...this.kernel_size], fanIn));
    if (o.bias) this.bias = new Parameter(defaultFanInUniform([outC], fanIn));
    else this.registerParameter('bias', null);
  }

  /** Explicit [before, after] zero padding per spatial dimension, as PyTorch computes it. */
  protected spatialPadding(): [number, number][] {
    if (this.padding === 'valid') return this.kernel_size.map(() => [0, 0]);
    if (this.padding === 'same') {
      return this.kernel_size.map((k, i) => {
        const total = this.dilation[i] * (k - 1);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
    }
    return this.padding.map((p) => [p, p]);
  }

  override extraRepr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${pyTuple(this.kernel_size)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.padding_mode !== 'zeros') s += `, padding_mode=${pyStr(this.padding_mode)}`;
    return s;
  }
}

/** Runs `conv` per channel group and concatenates, since tfjs convolutions have no `groups`. */
function grouped(x: tf.Tensor, filter: tf.Tensor, groups: number, conv: (x: tf.Tensor, f: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (groups === 1) return conv(x, filter);
  const channelAxis = x.rank - 1;
  const xs = tf.split(x, groups, channelAxis);
  const fs = tf.split(filter, groups, filter.rank - 1);
  return tf.concat(xs.map((xi, i) => conv(xi, fs[i])), channelAxis);
}

/** 2-D convolution over NCHW input with weight `[out, in/groups, kh, kw]`, as `torch.nn.Conv2d`. */
export class Conv2d extends ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: IntOrTuple, ...rest: (IntOrTuple | string | boolean | ConvOptions)[]) {
    super();
    this.init('Conv2d', 2, in_channels, out_channels, kernel_size, rest);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const { weight, bias } = this;
    return tf.tidy(() => {
      const batched = x.rank === 3 ? x.expandDims(0) : x;
      if (batched.rank !== 4) throw new Error(`Conv2d expects 3-D or 4-D input (C,H,W or N,C,H,W), got shape [${x.shape.join(', ')}]`);
      if (batched.shape[1] !== this.in_channels) {
        throw new Error(`expected input to have ${this.in_channels} channels, but got ${batched.shape[1]} channels instead (shape [${x.shape.join(', ')}])`);
      }
      // tfjs convolves NHWC with [kh, kw, in, out] filters.
      const [[pt, pb], [pl, pr]] = this.spatialPadding();
      let nhwc = batched.transpose([0, 2, 3, 1]) as tf.Tensor4D;
      if (pt + pb + pl + pr > 0) nhwc = tf.pad(nhwc, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
      const filter = weight.transpose([2, 3, 1, 0]) as tf.Tensor4D;
      const stride = this.stride as [number, number];
      const dilation = this.dilation as [number, number];
      let y = grouped(nhwc, filter, this.groups, (xi, fi) => tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, stride, 'valid', 'NHWC', dilation));
      if (bias) y = tf.add(y, bias);
      const out = y.transpose([0, 3, 1, 2]);
      return x.rank === 3 ? out.squeeze([0]) : out;
    });
  }
}

/** 1-D convolution over NCL input with weight `[out, in/groups, k]`, as `torch.nn.Conv1d`. */
export class Conv1d extends ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: IntOrTuple, ...rest: (IntOrTuple | string | boolean | ConvOptions)[]) {
    super();
    this.init('Conv1d', 1, in_channels, out_channels, kernel_size, rest);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const { weight, bias } = this;
    return tf.tidy(() => {
      const batched = x.rank === 2 ? x.expandDims(0) : x;
      if (batched.rank !== 3) throw new Error(`Conv1d expects 2-D or 3-D input (C,L or N,C,L), got shape [${x.shape.join(', ')}]`);
      if (batched.shape[1] !== this.in_channels) {
        throw new Error(`expected input to have ${this.in_channels} channels, but got ${batched.shape[1]} channels instead (shape [${x.shape.join(', ')}])`);
      }
      const [[pl, pr]] = this.spatialPadding();
      let nwc = batched.transpose([0, 2, 1]) as tf.Tensor3D;
      if (pl + pr > 0) nwc = tf.pad(nwc, [[0, 0], [pl, pr], [0, 0]]);
      const filter = weight.transpose([2, 1, 0]) as tf.Tensor3D;
      let y = grouped(nwc, filter, this.groups, (xi, fi) => tf.conv1d(xi as tf.Tensor3D, fi as tf.Tensor3D, this.stride[0], 'valid', 'NWC', this.dilation[0]));
      if (bias) y = tf.add(y, bias);
      const out = y.transpose([0, 2, 1]);
      return x.rank === 2 ? out.squeeze([0]) : out;
    });
  }
}
