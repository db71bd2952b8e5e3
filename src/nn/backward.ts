import * as tf from '@tensorflow/tfjs';
import { Parameter } from './parameter';

/**
 * Runs a backward pass, as `loss.backward()`: evaluates `lossFn` under tfjs
 * autodiff (which fires the modules' backward hooks) and adds each gradient to
 * its parameter's `.grad`, accumulating across calls as PyTorch does.
 *
 * `params` defaults to every trainable variable; gradients of variables that
 * are not `nn.Parameter`s are dropped. Returns the loss; the caller disposes it.
 */
export function backward(lossFn: () => tf.Scalar, params?: Iterable<Parameter>): tf.Scalar {
  const list = params ? [...params].filter((p) => p.requiresGrad) : undefined;
  if (list && list.length === 0) throw new Error('backward: none of the given parameters requires grad');
  const { value, grads } = tf.variableGrads(lossFn, list);
  const byName = new Map<string, tf.Variable>();
  if (list) for (const p of list) byName.set(p.name, p);
  for (const [name, g] of Object.entries(grads)) {
    const v = byName.get(name) ?? (tf.engine().registeredVariables[name] as tf.Variable | undefined);
    if (!(v instanceof Parameter)) { g.dispose(); continue; }
    if (v.grad && !v.grad.isDisposed) {
      const sum = tf.add(v.grad, g);
      g.dispose();
      v.grad = sum;
    } else {
      v.grad = g;
    }
  }
  return value;
}
