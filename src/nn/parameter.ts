import * as tf from '@tensorflow/tfjs';

const PARAMETER_BRAND = Symbol.for('moduleLens.parameter');

/**
 * A trainable tensor owned by a module, as `torch.nn.Parameter`.
 *
 * It is a real `tf.Variable`, so it goes anywhere a tensor goes
 * (`tf.matMul(x, this.weight, false, true)`), with PyTorch's `requiresGrad`
 * (mapped onto the variable's `trainable` flag) and `grad`, which
 * {@link backward} fills and accumulates.
 */
export interface Parameter extends tf.Variable {
  /** Whether autodiff computes a gradient for it (the variable's `trainable`). */
  requiresGrad: boolean;
  /** The accumulated gradient after a backward pass, or `null`. */
  grad: tf.Tensor | null;
}

/**
 * Creates a parameter holding `data`'s values. The parameter takes ownership of
 * a plain tensor passed in (it is disposed; its storage lives on in the
 * parameter, as PyTorch shares it), so `new nn.Parameter(tf.zeros([5]))` leaks
 * nothing. A variable passed in is left alone. Dispose the parameter with
 * `dispose()`, or the whole module with `module.dispose()`.
 */
export class Parameter {
  constructor(data: tf.Tensor | tf.TensorLike, requiresGrad = true) {
    const tensor = data instanceof tf.Tensor ? data : tf.tensor(data as tf.TensorLike);
    const dtype = tensor.dtype === 'float32' || tensor.dtype === 'int32' || tensor.dtype === 'bool' ? tensor.dtype : 'float32';
    const variable = tf.variable(tensor, requiresGrad, undefined, dtype);
    if (!(tensor instanceof tf.Variable)) tensor.dispose();
    return Parameter.adopt(variable);
  }

  /**
   * Makes an existing variable a parameter in place, so code that already reads
   * it (a tfjs layer, say) and the module tree share one variable.
   */
  static adopt(variable: tf.Variable): Parameter {
    if ((variable as unknown) instanceof Parameter) return variable as Parameter;
    const param = variable as Parameter;
    let grad: tf.Tensor | null = null;
    Object.defineProperties(param, {
      [PARAMETER_BRAND]: { value: true },
      requiresGrad: {
        get: () => param.trainable,
        set: (v: boolean) => { param.trainable = v; },
        enumerable: true,
      },
      grad: {
        get: () => grad,
        set: (g: tf.Tensor | null) => {
          if (grad && grad !== g && !grad.isDisposed) grad.dispose();
          grad = g ? tf.keep(g) : null;
        },
        enumerable: true,
      },
    });
    const dispose = param.dispose.bind(param);
    param.dispose = () => {
      if (grad && !grad.isDisposed) grad.dispose();
      grad = null;
      dispose();
    };
    return param;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PARAMETER_BRAND] === true;
  }
}
