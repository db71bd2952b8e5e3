import * as tf from '@tensorflow/tfjs';
import type { BackwardHook, BackwardPreHook, Grad, HookDict } from './hooks';
import { dependsOnVariables } from './gradReach';

/** Runs the backward hooks of one module call and reports a throwing hook. */
export interface BackwardHookRunner {
  preHooks(): [number, BackwardPreHook][];
  fullHooks(): [number, BackwardHook][];
  /** Calls one hook, turning an exception into a named error. */
  invoke<R>(kind: 'backward pre' | 'backward', id: number, hook: (...a: any[]) => R, args: unknown[]): R;
}

function isGradTensor(v: unknown): v is tf.Tensor {
  return v instanceof tf.Tensor && v.dtype === 'float32';
}

/**
 * Wires PyTorch's full backward hooks (`register_full_backward_hook`) and
 * backward pre-hooks for one module call, with identity `tf.customGrad`
 * wrappers: one around the module's outputs, whose gradient function sees
 * `gradOutput` first, and one around its inputs, whose gradient function sees
 * `gradInput` once the module's own backward has run. Several tensors are packed
 * into one wrapper so that the hook fires once with all of them.
 */
export class BackwardHookCall {
  private gradOutput: Grad[] = [];
  private inputsWired = false;
  private inputSlots: number[] = [];
  private argCount = 0;
  /** Tensors this wiring created, released if the call fails. */
  readonly created: tf.Tensor[] = [];

  constructor(private readonly module: unknown, private readonly runner: BackwardHookRunner) {}

  /** Wraps the tensor arguments that carry gradients; returns the args to pass to `forward`. */
  wrapInputs(args: unknown[]): unknown[] {
    this.argCount = args.length;
    const slots: number[] = [];
    args.forEach((a, i) => { if (isGradTensor(a) && dependsOnVariables(a)) slots.push(i); });
    if (slots.length === 0) return args;
    this.inputsWired = true;
    this.inputSlots = slots;
    const tensors = slots.map((i) => args[i] as tf.Tensor);
    const wrapped = packedIdentity(tensors, (grads) => this.onInputGrads(grads), this.created);
    const out = args.slice();
    slots.forEach((argIndex, k) => { out[argIndex] = wrapped[k]; });
    return out;
  }

  /** Wraps the output tensor(s); other output shapes are returned unchanged. */
  wrapOutput(output: unknown): unknown {
    if (isGradTensor(output)) {
      return packedIdentity([output], (g) => this.onOutputGrads(g), this.created)[0];
    }
    if (Array.isArray(output) && output.length > 0 && output.every(isGradTensor)) {
      return packedIdentity(output as tf.Tensor[], (g) => this.onOutputGrads(g), this.created);
    }
    return output;
  }

  private onOutputGrads(grads: tf.Tensor[]): tf.Tensor[] {
    let gradOutput: Grad[] = grads;
    for (const [id, hook] of this.runner.preHooks()) {
      const r = this.runner.invoke('backward pre', id, hook, [this.module, gradOutput]);
      if (r != null) gradOutput = asGradList(r, gradOutput.length, 'backward pre');
    }
    this.gradOutput = gradOutput;
    if (!this.inputsWired) {
      // No input depends on a variable: PyTorch still calls the hook, with None inputs.
      this.runFullHooks(new Array(this.argCount).fill(null));
    }
    return gradOutput.map((g, i) => g ?? tf.zerosLike(grads[i]));
  }

  private onInputGrads(grads: tf.Tensor[]): tf.Tensor[] {
    const gradInput: Grad[] = new Array(this.argCount).fill(null);
    this.inputSlots.forEach((argIndex, k) => { gradInput[argIndex] = grads[k]; });
    const replaced = this.runFullHooks(gradInput);
    return this.inputSlots.map((argIndex, k) => replaced[argIndex] ?? tf.zerosLike(grads[k]));
  }

  private runFullHooks(gradInput: Grad[]): Grad[] {
    let current = gradInput;
    for (const [id, hook] of this.runner.fullHooks()) {
      const r = this.runner.invoke('backward', id, hook, [this.module, current, this.gradOutput]);
      if (r != null) current = asGradList(r, current.length, 'backward');
    }
    return current;
  }
}

function asGradList(r: unknown, expected: number, kind: string): Grad[] {
  const list = Array.isArray(r) ? r : [r];
  if (list.length !== expected) {
    throw new Error(`${kind} hook returned ${list.length} gradients, expected ${expected}`);
  }
  return list as Grad[];
}

/**
 * Identity on `tensors` whose gradient function hands all their gradients to
 * `onGrads` at once and returns what it gives back.
 */
function packedIdentity(tensors: tf.Tensor[], onGrads: (grads: tf.Tensor[]) => tf.Tensor[], created: tf.Tensor[]): tf.Tensor[] {
  if (tensors.length === 1) {
    const op = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => ({
      value: (x as tf.Tensor).clone(),
      gradFunc: (dy: tf.Tensor) => onGrads([dy])[0],
    }));
    const out = op(tensors[0]);
    created.push(out);
    return [out];
  }
  const shapes = tensors.map((t) => t.shape);
  const sizes = tensors.map((t) => t.size);
  const flat = tf.concat(tensors.map((t) => t.reshape([-1])));
  const op = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => ({
    value: (x as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => {
      const parts = tf.split(dy, sizes).map((p, i) => p.reshape(shapes[i]));
      return tf.concat(onGrads(parts).map((g) => g.reshape([-1])));
    },
  }));
  const packed = op(flat);
  const outs = tf.split(packed, sizes).map((p, i) => p.reshape(shapes[i]));
  created.push(flat, packed, ...outs);
  return outs;
}

/** Dictionaries of backward hooks to consult, global first. */
export function collectHooks<F>(global: HookDict<F>, own: HookDict<F>): [number, F][] {
  if (global.size === 0) return [...own];
  return [...global, ...own];
}
