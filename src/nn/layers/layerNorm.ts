import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { pyBool, pyFloat, pyTuple } from '../pyRepr';
import { layerArgs } from './layerArgs';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions { eps?: number; elementwise_affine?: boolean; bias?: boolean }

/** Normalises over the trailing `normalized_shape` dimensions, as `torch.nn.LayerNorm`. */
export class LayerNorm extends Module {
  declare normalized_shape: number[];
  declare eps: number;
  declare elementwise_affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalized_shape: number | number[], ...rest: (number | boolean | LayerNormOptions)[]) {
    super();
    const o = layerArgs('LayerNorm', ['eps', 'elementwise_affine', 'bias'], rest,
      { eps: 1e-5, elementwise_affine: true, bias: true } as Required<LayerNormOptions>);
    this.normalized_shape = typeof normalized_shape === 'number' ? [normalized_shape] : [...normalized_shape];
    this.eps = o.eps;
    this.elementwise_affine = o.elementwise_affine;
    if (o.elementwise_affine) {
      this.weight = new Parameter(tf.ones(this.normalized_shape));
      if (o.bias) this.bias = new Parameter(tf.zeros(this.normalized_shape));
      else this.registerParameter('bias', null);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const k = this.normalized_shape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || !tf.util.arraysEqual(tail, this.normalized_shape)) {
      throw new Error(`Given normalized_shape=[${this.normalized_shape.join(', ')}], expected input with shape [*, ${this.normalized_shape.join(', ')}], but got input of size [${x.shape.join(', ')}]`);
    }
    const { weight, bias } = this;
    return tf.tidy(() => {
      const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (weight) y = tf.mul(y, weight);
      if (bias) y = tf.add(y, bias);
      return y;
    });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}
