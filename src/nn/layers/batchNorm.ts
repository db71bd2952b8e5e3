import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { pyBool, pyFloat, pyOptional } from '../pyRepr';
import { layerArgs, positiveInt } from './layerArgs';

/** A non-trainable variable holding `initial`'s values, so updates can assign in place. */
function bufferVariable(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial, false);
  initial.dispose();
  return v;
}

/** Options of the BatchNorm layers, named as PyTorch's keyword arguments. */
export interface BatchNormOptions { eps?: number; momentum?: number | null; affine?: boolean; track_running_stats?: boolean }

/**
 * PyTorch's `_BatchNorm`: batch statistics in training (biased variance to
 * normalise, unbiased to update `running_var`), running statistics in eval,
 * and a `num_batches_tracked` counter. `momentum=null` is a cumulative average.
 * Buffers are non-trainable variables, updated in place like PyTorch's.
 */
abstract class BatchNorm extends Module {
  declare num_features: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare track_running_stats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: tf.Variable | null;
  declare running_var: tf.Variable | null;
  declare num_batches_tracked: tf.Variable | null;

  protected init(layer: string, num_features: number, rest: readonly unknown[]): void {
    const o = layerArgs(layer, ['eps', 'momentum', 'affine', 'track_running_stats'], rest,
      { eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true } as Required<BatchNormOptions>);
    this.num_features = positiveInt(num_features, 'num_features');
    this.eps = o.eps;
    this.momentum = o.momentum;
    this.affine = o.affine;
    this.track_running_stats = o.track_running_stats;
    if (o.affine) {
      this.weight = new Parameter(tf.ones([num_features]));
      this.bias = new Parameter(tf.zeros([num_features]));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (o.track_running_stats) {
      this.registerBuffer('running_mean', bufferVariable(tf.zeros([num_features])));
      this.registerBuffer('running_var', bufferVariable(tf.ones([num_features])));
      this.registerBuffer('num_batches_tracked', bufferVariable(tf.scalar(0, 'int32')));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Ranks the layer accepts, e.g. [2, 3] for BatchNorm1d. */
  protected abstract readonly ranks: readonly number[];

  override forward(x: tf.Tensor): tf.Tensor {
    if (!this.ranks.includes(x.rank)) {
      throw new Error(`expected ${this.ranks.map((r) => `${r}D`).join(' or ')} input (got ${x.rank}D input)`);
    }
    if (x.shape[1] !== this.num_features) {
      throw new Error(`running_mean should contain ${x.shape[1]} elements not ${this.num_features}`);
    }
    const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
    const bshape = [1, this.num_features, ...new Array(x.rank - 2).fill(1)];
    const { weight, bias, running_mean: rm, running_var: rv, num_batches_tracked: nbt } = this;
    const useBatchStats = this.training || !rm || !rv;
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useBatchStats) {
        ({ mean, variance } = tf.moments(x, axes));
        if (this.training && rm && rv && nbt) {
          const n = x.size / this.num_features;
          if (n <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
          nbt.assign(tf.add(nbt, tf.scalar(1, 'int32')));
          const factor = this.momentum ?? 1 / (nbt.dataSync()[0]);
          rm.assign(tf.add(tf.mul(rm, 1 - factor), tf.mul(mean, factor)));
          rv.assign(tf.add(tf.mul(rv, 1 - factor), tf.mul(variance, (factor * n) / (n - 1))));
        }
      } else {
        mean = rm!;
        variance = rv!;
      }
      let y = tf.mul(tf.sub(x, mean.reshape(bshape)), tf.rsqrt(tf.add(variance, this.eps)).reshape(bshape));
      if (weight) y = tf.mul(y, weight.reshape(bshape));
      if (bias) y = tf.add(y, bias.reshape(bshape));
      return y;
    });
  }

  override extraRepr(): string {
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${pyOptional(this.momentum, pyFloat)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.track_running_stats)}`;
  }
}

/** Batch normalisation over `(N, C)` or `(N, C, L)` input, as `torch.nn.BatchNorm1d`. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3] as const;

  constructor(num_features: number, ...rest: (number | boolean | null | BatchNormOptions)[]) {
    super();
    this.init('BatchNorm1d', num_features, rest);
  }
}

/** Batch normalisation over NCHW input, as `torch.nn.BatchNorm2d`. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4] as const;

  constructor(num_features: number, ...rest: (number | boolean | null | BatchNormOptions)[]) {
    super();
    this.init('BatchNorm2d', num_features, rest);
  }
}
