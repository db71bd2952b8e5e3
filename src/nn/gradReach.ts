import * as tf from '@tensorflow/tfjs';

/**
 * Tells whether a tensor depends on a trainable variable in the gradient
 * computation being recorded.
 *
 * tfjs backpropagates only through tape nodes that lie between the variables
 * and the loss, so an identity wrapper on a tensor that does not depend on any
 * variable never sees a gradient. PyTorch's full backward hook still fires in
 * that case with `None` input gradients; knowing reachability at forward time
 * lets us do the same.
 */
interface TapeScan { scanned: number; reachable: Set<number> }

interface EngineState {
  gradientDepth: number;
  activeTape: { inputs: Record<string, tf.Tensor>; outputs: tf.Tensor[] }[] | null;
}

const scans = new WeakMap<object, TapeScan>();

function engineState(): EngineState {
  return (tf.engine() as unknown as { state: EngineState }).state;
}

/** Whether a gradient computation (`tf.grads`, `tf.variableGrads`, …) is recording right now. */
export function isRecordingGradients(): boolean {
  return engineState().gradientDepth > 0;
}

function isTrainableVariable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}

/** Whether `t` is a trainable variable or was computed from one on the active tape. */
export function dependsOnVariables(t: tf.Tensor): boolean {
  if (isTrainableVariable(t)) return true;
  const tape = engineState().activeTape;
  if (!tape) return false;
  let scan = scans.get(tape);
  if (!scan) {
    scan = { scanned: 0, reachable: new Set() };
    scans.set(tape, scan);
  }
  for (; scan.scanned < tape.length; scan.scanned++) {
    const node = tape[scan.scanned];
    let reached = false;
    for (const key in node.inputs) {
      const input = node.inputs[key];
      if (input && (scan.reachable.has(input.id) || isTrainableVariable(input))) { reached = true; break; }
    }
    if (reached) for (const out of node.outputs) scan.reachable.add(out.id);
  }
  return scan.reachable.has(t.id);
}
