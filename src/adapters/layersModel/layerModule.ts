import * as tf from '@tensorflow/tfjs';
import { Module } from '../../nn/module';
import { Parameter } from '../../nn/parameter';

type Layer = tf.layers.Layer;

/** Config keys worth showing in a layer's repr, in this order. */
const REPR_KEYS = [
  'units', 'filters', 'kernelSize', 'poolSize', 'strides', 'padding', 'dilationRate', 'activation', 'useBias',
  'rate', 'axis', 'momentum', 'epsilon', 'inputDim', 'outputDim', 'targetShape', 'dims', 'name',
];

function pyValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return v.length === 1 ? `(${pyValue(v[0])},)` : `(${v.map(pyValue).join(', ')})`;
  return String(v);
}

/** A weight's name inside its layer: 'conv_1/kernel' → 'kernel'; nested parts joined with '_'. */
export function shortWeightName(layer: Layer, weight: tf.LayerVariable): string {
  const full = weight.originalName ?? weight.name;
  const inner = full.startsWith(`${layer.name}/`) ? full.slice(layer.name.length + 1) : full.slice(full.lastIndexOf('/') + 1);
  // Module names cannot contain '.', and '/' would read as a path in the tree.
  return inner.replace(/[/.]/g, '_');
}

/** Registers a layer's weights: trainable ones as parameters, the others as buffers. */
export function registerLayerWeights(m: Module, layer: Layer): void {
  const used = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 1; used.has(n); i++) n = `${name}_${i}`;
    used.add(n);
    return n;
  };
  for (const w of layer.trainableWeights) m.registerParameter(unique(shortWeightName(layer, w)), Parameter.adopt(w.read() as tf.Variable));
  for (const w of layer.nonTrainableWeights) m.registerBuffer(unique(shortWeightName(layer, w)), w.read());
}

/**
 * One tfjs layer seen as an `nn.Module`: its trainable weights are parameters,
 * its non-trainable weights (BatchNormalization's moving statistics) buffers,
 * and calling it runs `layer.apply` with this module's own `training` flag.
 */
export class LayerModule extends Module {
  declare layer: Layer;

  constructor(layer: Layer) {
    super();
    this.layer = layer;
    registerLayerWeights(this, layer);
  }

  /** The tfjs class name, e.g. `Conv2D` or `BatchNormalization`. */
  override get typeName(): string {
    return this.layer.getClassName();
  }

  override forward(...inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const x = inputs.length === 1 ? inputs[0] : inputs;
    return this.layer.apply(x, { training: this.training }) as tf.Tensor | tf.Tensor[];
  }

  override extraRepr(): string {
    const config = this.layer.getConfig() as Record<string, unknown>;
    return REPR_KEYS.filter((k) => k !== 'name' && config[k] !== undefined && config[k] !== null)
      .map((k) => `${k}=${pyValue(config[k])}`)
      .join(', ');
  }
}
