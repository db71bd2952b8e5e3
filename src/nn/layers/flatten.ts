import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { layerArgs } from './layerArgs';

/** Options of {@link Flatten}. */
export interface FlattenOptions { start_dim?: number; end_dim?: number }

/** Flattens dimensions `start_dim..end_dim` into one, as `torch.nn.Flatten`. */
export class Flatten extends Module {
  declare start_dim: number;
  declare end_dim: number;

  constructor(...rest: (number | FlattenOptions)[]) {
    super();
    const o = layerArgs('Flatten', ['start_dim', 'end_dim'], rest, { start_dim: 1, end_dim: -1 } as Required<FlattenOptions>);
    this.start_dim = o.start_dim;
    this.end_dim = o.end_dim;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const rank = Math.max(x.rank, 1);
    const start = this.start_dim < 0 ? this.start_dim + rank : this.start_dim;
    const end = this.end_dim < 0 ? this.end_dim + rank : this.end_dim;
    if (start < 0 || end >= rank || start > end) {
      throw new Error(`Flatten: dimensions start_dim=${this.start_dim}, end_dim=${this.end_dim} do not fit input of shape [${x.shape.join(', ')}]`);
    }
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return tf.reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }

  override extraRepr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}
