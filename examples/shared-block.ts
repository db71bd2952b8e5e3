/**
 * One block applied twice in `forward` (weight sharing): the module appears
 * once in the tree, its hooks fire once per call, and a breakpoint with a hit
 * count of 2 stops at the second call.
 */
import { nn, tf } from 'module-lens';

export class SharedBlockNet extends nn.Module {
  declare block: nn.Sequential;
  declare head: nn.Linear;

  constructor() {
    super();
    this.block = new nn.Sequential(new nn.Linear(4, 4), new nn.Tanh());
    this.head = new nn.Linear(4, 2);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let out = this.block(x);
    out = this.block(out);
    return this.head(out);
  }
}

export default function model(): SharedBlockNet {
  return new SharedBlockNet();
}

export function input(): tf.Tensor {
  return tf.randomNormal([2, 4]);
}
