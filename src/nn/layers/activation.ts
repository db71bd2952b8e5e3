import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { pyStr } from '../pyRepr';
import { layerArgs } from './layerArgs';

/** `max(0, x)`, as `torch.nn.ReLU`. */
export class ReLU extends Module {
  declare inplace: boolean;

  constructor(...rest: (boolean | { inplace?: boolean })[]) {
    super();
    this.inplace = layerArgs('ReLU', ['inplace'], rest, { inplace: false }).inplace;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** Gaussian error linear unit, exact (`'none'`) or `'tanh'`-approximated, as `torch.nn.GELU`. */
export class GELU extends Module {
  declare approximate: 'none' | 'tanh';

  constructor(...rest: (string | { approximate?: 'none' | 'tanh' })[]) {
    super();
    const o = layerArgs('GELU', ['approximate'], rest, { approximate: 'none' as 'none' | 'tanh' });
    if (o.approximate !== 'none' && o.approximate !== 'tanh') throw new Error(`approximate argument must be either none or tanh.`);
    this.approximate = o.approximate;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (this.approximate === 'tanh') {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
      }
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    });
  }

  override extraRepr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

/** Logistic sigmoid, as `torch.nn.Sigmoid`. */
export class Sigmoid extends Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

/** Hyperbolic tangent, as `torch.nn.Tanh`. */
export class Tanh extends Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}

/** Softmax along `dim`, as `torch.nn.Softmax`; `dim=null` picks PyTorch's legacy implicit dimension. */
export class Softmax extends Module {
  declare dim: number | null;

  constructor(...rest: (number | null | { dim?: number | null })[]) {
    super();
    this.dim = layerArgs('Softmax', ['dim'], rest, { dim: null as number | null }).dim;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const implicit = x.rank === 0 || x.rank === 1 || x.rank === 3 ? 0 : 1;
    let dim = this.dim ?? implicit;
    if (dim < 0) dim += x.rank;
    if (dim < 0 || dim >= Math.max(x.rank, 1)) throw new Error(`Dimension out of range (expected to be in range of [${-x.rank}, ${x.rank - 1}], but got ${this.dim})`);
    if (dim === x.rank - 1) return tf.softmax(x, -1);
    // tfjs softmax works on the last axis only: move `dim` there and back.
    return tf.tidy(() => {
      const perm = Array.from({ length: x.rank }, (_, i) => i);
      perm[dim] = x.rank - 1;
      perm[x.rank - 1] = dim;
      return tf.softmax(x.transpose(perm), -1).transpose(perm);
    });
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}
