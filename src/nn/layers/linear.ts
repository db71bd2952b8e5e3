import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { defaultFanInUniform } from '../init';
import { pyBool } from '../pyRepr';
import { layerArgs, positiveInt } from './layerArgs';

/** Options of {@link Linear}, named as PyTorch's keyword arguments. */
export interface LinearOptions { bias?: boolean }

/** `y = x·Wᵀ + b` with `weight` `[out_features, in_features]`, as `torch.nn.Linear`. */
export class Linear extends Module {
  declare in_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in_features: number, out_features: number, ...rest: (boolean | LinearOptions)[]) {
    super();
    const o = layerArgs('Linear', ['bias'], rest, { bias: true } as Required<LinearOptions>);
    this.in_features = positiveInt(in_features, 'in_features');
    this.out_features = positiveInt(out_features, 'out_features');
    this.weight = new Parameter(defaultFanInUniform([out_features, in_features], in_features));
    if (o.bias) this.bias = new Parameter(defaultFanInUniform([out_features], in_features));
    else this.registerParameter('bias', null);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const { weight, bias } = this;
    return tf.tidy(() => {
      const flat = x.rank === 2 ? x : x.reshape([-1, this.in_features]);
      // An explicit transpose is several times faster on wasm than matMul's transposeB flag.
      let y = tf.matMul(flat, tf.transpose(weight));
      if (bias) y = tf.add(y, bias);
      return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.out_features]);
    });
  }

  override extraRepr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged, as `torch.nn.Identity`. */
export class Identity extends Module {
  constructor(..._ignored: unknown[]) {
    super();
  }

  override forward(x: any): any {
    return x;
  }
}
