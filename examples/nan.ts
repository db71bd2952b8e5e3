/**
 * A model whose output turns NaN at a known sub-module: `log` takes the log
 * of values that `shift` pushes below zero, so `log` is the first module with
 * a non-finite output. Use it to try "go to first non-finite".
 */
import { nn, tf } from 'module-lens';

/** Natural logarithm as a module, so it shows in the tree and can be hooked. */
export class Log extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.log(x);
  }
}

/** Subtracts a constant. */
export class Shift extends nn.Module {
  declare amount: number;
  constructor(amount: number) {
    super();
    this.amount = amount;
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.sub(x, this.amount);
  }
  override extraRepr(): string {
    return `amount=${this.amount}`;
  }
}

export class NanNet extends nn.Module {
  declare fc: nn.Linear;
  declare act: nn.Sigmoid;
  declare shift: Shift;
  declare log: Log;
  declare head: nn.Linear;

  constructor() {
    super();
    this.fc = new nn.Linear(4, 4);
    this.act = new nn.Sigmoid();
    this.shift = new Shift(2);
    this.log = new Log();
    this.head = new nn.Linear(4, 1);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    // sigmoid is in (0, 1), so after the shift every value is negative and log gives NaN.
    return this.head(this.log(this.shift(this.act(this.fc(x)))));
  }
}

export default function model(): NanNet {
  return new NanNet();
}

export function input(): tf.Tensor {
  return tf.randomNormal([2, 4]);
}
