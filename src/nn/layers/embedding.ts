import * as tf from '@tensorflow/tfjs';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { normal } from '../init';
import { layerArgs, positiveInt } from './layerArgs';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions { padding_idx?: number | null }

/** A lookup table `weight[num_embeddings, embedding_dim]`, as `torch.nn.Embedding`. */
export class Embedding extends Module {
  declare num_embeddings: number;
  declare embedding_dim: number;
  declare padding_idx: number | null;
  declare weight: Parameter;

  constructor(num_embeddings: number, embedding_dim: number, ...rest: (number | null | EmbeddingOptions)[]) {
    super();
    const o = layerArgs('Embedding', ['padding_idx'], rest, { padding_idx: null } as Required<EmbeddingOptions>);
    this.num_embeddings = positiveInt(num_embeddings, 'num_embeddings');
    this.embedding_dim = positiveInt(embedding_dim, 'embedding_dim');
    let pad = o.padding_idx;
    if (pad !== null) {
      if (pad >= num_embeddings || pad < -num_embeddings) throw new Error('Padding_idx must be within num_embeddings');
      if (pad < 0) pad += num_embeddings;
    }
    this.padding_idx = pad;
    const init = normal([num_embeddings, embedding_dim]);
    if (pad !== null) {
      // PyTorch zeroes the padding row at initialisation.
      const data = init.dataSync().slice();
      data.fill(0, pad * embedding_dim, (pad + 1) * embedding_dim);
      init.dispose();
      this.weight = new Parameter(tf.tensor(data, [num_embeddings, embedding_dim]));
    } else {
      this.weight = new Parameter(init);
    }
  }

  override forward(indices: tf.Tensor): tf.Tensor {
    const { weight } = this;
    return tf.tidy(() => tf.gather(weight, indices.dtype === 'int32' ? indices : indices.toInt()));
  }

  override extraRepr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    return s;
  }
}
