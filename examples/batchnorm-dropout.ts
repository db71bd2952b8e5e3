/**
 * A small classifier with BatchNorm1d and Dropout: the two layers whose
 * behaviour depends on the `training` flag. Toggle train/eval in the tree and
 * watch the running statistics and the dropout mask change.
 */
import { nn, tf } from 'module-lens';

export class BatchNormDropoutNet extends nn.Module {
  declare fc1: nn.Linear;
  declare bn: nn.BatchNorm1d;
  declare act: nn.ReLU;
  declare drop: nn.Dropout;
  declare fc2: nn.Linear;

  constructor() {
    super();
    this.fc1 = new nn.Linear(8, 16);
    this.bn = new nn.BatchNorm1d(16);
    this.act = new nn.ReLU();
    this.drop = new nn.Dropout({ p: 0.25 });
    this.fc2 = new nn.Linear(16, 3);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return this.fc2(this.drop(this.act(this.bn(this.fc1(x)))));
  }
}

export default function model(): BatchNormDropoutNet {
  return new BatchNormDropoutNet();
}

/** A batch of 6 samples with 8 features. */
export function input(): tf.Tensor {
  return tf.randomNormal([6, 8]);
}

/** Cross-entropy against class 0, so backward runs through every layer. */
export function loss(output: tf.Tensor): tf.Scalar {
  const labels = tf.oneHot(tf.zeros([output.shape[0]], 'int32'), 3);
  return tf.losses.softmaxCrossEntropy(labels, output) as tf.Scalar;
}
