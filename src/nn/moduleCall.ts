import * as tf from '@tensorflow/tfjs';
import type { Module } from './module';
import { anyGlobalHooks, globalHooks, type HookKind } from './hooks';
import { BackwardHookCall, collectHooks } from './backwardHooks';
import { isRecordingGradients } from './gradReach';
import { enterCall, isOutermostCall, leaveCall, pathInCall } from './callStack';
import { HookError, ModuleCallError } from './errors';

/**
 * What calling a module does, as PyTorch's `Module._call_impl`: forward
 * pre-hooks (global, then the module's own), backward-hook wiring when
 * gradients are being recorded, `forward`, forward hooks, then the output
 * wiring. With no hook anywhere it is a plain `forward` call.
 */
export function callModule(self: Module, raw: Module, args: unknown[]): unknown {
  // The outermost call owns every intermediate tensor of the tree: it runs in a
  // tidy scope, so only its result survives, and a failure frees everything.
  if (isOutermostCall()) return tf.tidy(() => callInStack(self, raw, args) as tf.TensorContainer);
  return callInStack(self, raw, args);
}

function callInStack(self: Module, raw: Module, args: unknown[]): unknown {
  enterCall(self);
  try {
    const hooked = raw._forwardPreHooks.size + raw._forwardHooks.size + raw._backwardPreHooks.size + raw._backwardHooks.size > 0;
    if (!hooked && !anyGlobalHooks()) return self.forward(...args);
    return callWithHooks(self, raw, args);
  } catch (err) {
    throw asModuleError(err, self, args);
  } finally {
    leaveCall();
  }
}

function callWithHooks(self: Module, raw: Module, args: unknown[]): unknown {
  const invoke = <R>(kind: HookKind, id: number, hook: (...a: any[]) => R, hookArgs: unknown[]): R => {
    try {
      return hook(...hookArgs);
    } catch (err) {
      if (err instanceof HookError) throw err;
      throw new HookError(kind, hook.name || '<anonymous>', id, pathInCall(self), self.typeName, err);
    }
  };

  let callArgs = args;
  for (const [id, hook] of collectHooks(globalHooks.forwardPre, raw._forwardPreHooks)) {
    const r = invoke('forward pre', id, hook, [self, callArgs]);
    if (r != null) callArgs = Array.isArray(r) ? r : [r];
  }

  let backward: BackwardHookCall | undefined;
  const wantsBackward = raw._backwardHooks.size + raw._backwardPreHooks.size + globalHooks.backward.size + globalHooks.backwardPre.size > 0;
  if (wantsBackward && isRecordingGradients()) {
    backward = new BackwardHookCall(self, {
      preHooks: () => collectHooks(globalHooks.backwardPre, raw._backwardPreHooks),
      fullHooks: () => collectHooks(globalHooks.backward, raw._backwardHooks),
      invoke,
    });
    callArgs = backward.wrapInputs(callArgs);
  }

  let output: unknown;
  try {
    output = self.forward(...callArgs);
    for (const [id, hook] of collectHooks(globalHooks.forward, raw._forwardHooks)) {
      const r = invoke('forward', id, hook, [self, callArgs, output]);
      if (r != null) output = r;
    }
    if (backward) output = backward.wrapOutput(output);
  } catch (err) {
    releaseCreated(backward?.created ?? [], output, args);
    throw err;
  }
  return output;
}

/** Frees the tensors a failed call made on the way, keeping what the caller passed in. */
function releaseCreated(created: tf.Tensor[], output: unknown, args: unknown[]): void {
  const keep = new Set(args.filter((a): a is tf.Tensor => a instanceof tf.Tensor));
  const outs = output instanceof tf.Tensor ? [output] : Array.isArray(output) ? output.filter((o) => o instanceof tf.Tensor) : [];
  for (const t of [...created, ...outs]) {
    if (!keep.has(t) && !(t instanceof tf.Variable) && !t.isDisposed) t.dispose();
  }
}

function asModuleError(err: unknown, self: Module, args: unknown[]): unknown {
  if (err instanceof HookError || err instanceof ModuleCallError) return err;
  const shapes = args.map((a) => (a instanceof tf.Tensor ? a.shape.slice() : null));
  return new ModuleCallError(pathInCall(self), self.typeName, shapes, err);
}
