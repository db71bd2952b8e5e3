import * as tf from '@tensorflow/tfjs';
import { Module } from '../../nn/module';
import { LayerModule } from './layerModule';

type Layer = tf.layers.Layer;

/** The parts of tfjs's graph container this runner walks (public fields, not in the typings). */
interface GraphNode {
  outboundLayer: Layer;
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}
interface GraphContainer {
  nodesByDepth: Record<string, GraphNode[]>;
  inputs: tf.SymbolicTensor[];
  outputs: tf.SymbolicTensor[];
  layers: Layer[];
}

function isModel(layer: Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

function moduleName(layer: Layer): string {
  return layer.name.replace(/\./g, '_');
}

/**
 * A `tf.LayersModel` (Sequential or functional) seen as an `nn.Module` tree:
 * each layer is a child named by its layer name, a nested model is a child
 * with its own layers, and a layer shared by two call sites is one child
 * called twice. `forward` walks the model's graph itself, calling each child
 * module, so every module's hooks fire and a hook's replacement output is what
 * the downstream layers receive.
 */
export class LayersModelModule extends Module {
  declare model: tf.LayersModel;
  declare layerModules: Map<Layer, Module>;
  declare released: boolean;

  constructor(model: tf.LayersModel) {
    super();
    this.model = model;
    this.layerModules = new Map();
    this.released = false;
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      const child = isModel(layer) ? new LayersModelModule(layer) : new LayerModule(layer);
      this.addModule(moduleName(layer), child);
      this.layerModules.set(layer, child);
    }
  }

  /**
   * Releases the tfjs model and its weights (the parameters and buffers here are
   * its variables). A nested model is released with its outermost model.
   */
  override dispose(): void {
    if (this.released) return;
    this.released = true;
    this.model.dispose();
  }

  /** `Sequential`, or `Model` for a functional model, as tfjs names them. */
  override get typeName(): string {
    return this.model.getClassName();
  }

  override forward(...args: (tf.Tensor | tf.Tensor[])[]): tf.Tensor | tf.Tensor[] {
    const inputs = args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as tf.Tensor[]);
    if (this.model instanceof tf.Sequential) return this.runSequential(inputs);
    const graph = this.model as unknown as GraphContainer;
    if (inputs.length !== graph.inputs.length) {
      throw new Error(`${this.model.name} expects ${graph.inputs.length} input tensor(s), got ${inputs.length}`);
    }
    const values = new Map<number, tf.Tensor>();
    graph.inputs.forEach((s, i) => values.set(s.id, inputs[i]));
    const depths = Object.keys(graph.nodesByDepth).map(Number).sort((a, b) => b - a);
    for (const depth of depths) {
      for (const node of graph.nodesByDepth[String(depth)]) {
        const child = this.layerModules.get(node.outboundLayer);
        if (!child) continue; // input layers
        const ins = node.inputTensors.map((s) => values.get(s.id));
        if (ins.some((t) => t === undefined)) {
          throw new Error(`layer '${node.outboundLayer.name}' of ${this.model.name} runs before its inputs are computed`);
        }
        const out = child(...(ins as tf.Tensor[])) as tf.Tensor | tf.Tensor[];
        const outs = Array.isArray(out) ? out : [out];
        node.outputTensors.forEach((s, i) => values.set(s.id, outs[i]));
      }
    }
    const outputs = graph.outputs.map((s) => values.get(s.id) as tf.Tensor);
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  /** A Sequential is a chain; its graph is only built on first predict, so walk the layers. */
  private runSequential(inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    let x: tf.Tensor | tf.Tensor[] = inputs.length === 1 ? inputs[0] : inputs;
    for (const child of this.layerModules.values()) x = Array.isArray(x) ? child(...x) : child(x);
    return x;
  }

}

/**
 * Wraps any `tf.LayersModel` as an `nn.Module`. The module starts in eval
 * mode, as `model.predict` runs; call `train()` for training behaviour
 * (Dropout active, BatchNormalization on batch statistics and updating its
 * moving statistics).
 */
export function adaptLayersModel(model: tf.LayersModel): LayersModelModule {
  return new LayersModelModule(model).eval();
}
