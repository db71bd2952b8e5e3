/**
 * The CustomLinearLayer network from the nn.Module internals walkthrough,
 * written with Module Lens's PyTorch-style API. It is the default model the
 * extension opens.
 */
import { nn, tf } from 'module-lens';

export class CustomLinearLayer extends nn.Module {
  declare weight: nn.Parameter;
  declare bias: nn.Parameter;
  declare submodel_1: nn.Linear;
  declare submodel_2: nn.Linear;
  declare submodel_3: nn.Sequential;

  constructor(input_features: number, output_features: number) {
    super();
    // `torch.Tensor(out, in)` is uninitialised memory; zeros keep the run
    // repeatable and give the walkthrough's identical output rows.
    this.weight = new nn.Parameter(tf.zeros([output_features, input_features]));
    this.bias = new nn.Parameter(tf.zeros([output_features]));
    this.submodel_1 = new nn.Linear(5, 4);
    this.submodel_2 = new nn.Linear(4, 2);
    this.submodel_3 = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 5));
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let out = tf.add(tf.matMul(x, this.weight, false, true), this.bias);
    out = this.submodel_1(out);
    out = this.submodel_2(out);
    out = this.submodel_3(out);
    return out;
  }
}

/** The model: 10 input features, 5 outputs. */
export default function model(): CustomLinearLayer {
  return new CustomLinearLayer(10, 5);
}

/** Three samples with ten features each. */
export function input(): tf.Tensor {
  return tf.randomNormal([3, 10]);
}
