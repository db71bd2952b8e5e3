import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { nextSeed } from '../init';
import { pyBool, pyFloat } from '../pyRepr';
import { layerArgs } from './layerArgs';

/** Options of {@link Dropout}. */
export interface DropoutOptions { p?: number; inplace?: boolean }

/**
 * Zeroes elements with probability `p` and scales the rest by 1/(1-p) in
 * training; the identity in eval, as `torch.nn.Dropout`.
 */
export class Dropout extends Module {
  declare p: number;
  declare inplace: boolean;

  constructor(...rest: (number | boolean | DropoutOptions)[]) {
    super();
    const o = layerArgs('Dropout', ['p', 'inplace'], rest, { p: 0.5, inplace: false } as Required<DropoutOptions>);
    if (o.p < 0 || o.p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return tf.zerosLike(x);
    return tf.dropout(x, this.p, undefined, nextSeed());
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
