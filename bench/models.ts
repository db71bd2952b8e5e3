/**
 * The benchmark models, each as Module Lens sees it (an `nn.Module`) and as plain tfjs runs it.
 *
 * - MLP: 50 × (Linear(256, 256) + ReLU), batch 64.
 * - CNN: the demo conv net (conv-BN-ReLU-pool-conv-dense-dropout-dense) on 32×32×3, batch 32.
 *
 * Each exists as an `nn` model (`nn.Sequential`, PyTorch layout: NCHW, weight `[out, in]`) whose
 * raw run calls the same tfjs ops the `nn` layers call, and as a tfjs `LayersModel` (the MLP
 * built with tfjs layers, the CNN loaded from `examples/cnn/model.json`) whose raw run is
 * `model.predict`. Every model is in eval mode, as PyTorch's reference figures are.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../src/nn';
import { adaptLayersModel, loadModelJson } from '../src/adapters/layersModel';

/** One benchmark model, ready to run. */
export interface BenchModel {
  /** `MLP` or `CNN`. */
  readonly model: 'MLP' | 'CNN';
  /** `nn` (an `nn.Module` tree) or `layers` (a `tf.LayersModel` through the layers adapter). */
  readonly flavor: 'nn' | 'layers';
  /** What Module Lens calls: the `nn` model, or the adapter around the layers model. */
  readonly module: nn.Module;
  readonly input: tf.Tensor;
  /** (a) forward without Module Lens: `model.predict`, or the `nn` layers' tfjs ops called directly. */
  raw(): tf.Tensor;
  /** The raw forward again, in a form autodiff can record (`model.apply`, as `predict` cannot). */
  rawForGrad(): tf.Tensor;
  dispose(): void;
}

/** Human name used in tables, e.g. `MLP (nn)`. */
export function modelLabel(m: BenchModel): string {
  return `${m.model} (${m.flavor})`;
}

export const MLP_DEPTH = 50;
export const MLP_WIDTH = 256;
export const MLP_BATCH = 64;
export const CNN_BATCH = 32;

/** Folder of the demo CNN written by `scripts/make_cnn_example.js`. */
export const DEMO_CNN = path.resolve(__dirname, '..', '..', 'examples', 'cnn', 'model.json');

/** Fixed-seed input so runs compare like with like. */
function input(shape: number[]): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', 42);
}

/** The nn MLP, and its raw run: `relu(matMul(x, transpose(W)) + b)` per block, as `Linear`/`ReLU` call it. */
export function mlpNn(): BenchModel {
  nn.manualSeed(1);
  const linears: nn.Linear[] = [];
  const modules: nn.Module[] = [];
  for (let i = 0; i < MLP_DEPTH; i++) {
    const lin = new nn.Linear(MLP_WIDTH, MLP_WIDTH);
    linears.push(lin);
    modules.push(lin, new nn.ReLU());
  }
  const module = new nn.Sequential(...modules).eval();
  const x = input([MLP_BATCH, MLP_WIDTH]);
  const weights = linears.map((l) => [l.weight, l.bias as tf.Tensor] as const);
  const raw = () => {
    let h = x;
    for (const [w, b] of weights) h = tf.relu(tf.add(tf.matMul(h, tf.transpose(w)), b));
    return h;
  };
  return { model: 'MLP', flavor: 'nn', module, input: x, raw, rawForGrad: raw, dispose: () => { module.dispose(); x.dispose(); } };
}

/** The same MLP with tfjs layers: Dense + Activation('relu') layers, so both have 101 modules. */
export function mlpLayers(): BenchModel {
  const model = tf.sequential({ name: 'mlp' });
  for (let i = 0; i < MLP_DEPTH; i++) {
    const dense = { units: MLP_WIDTH, kernelInitializer: tf.initializers.glorotUniform({ seed: 100 + i }) };
    model.add(tf.layers.dense(i === 0 ? { ...dense, inputShape: [MLP_WIDTH] } : dense));
    model.add(tf.layers.activation({ activation: 'relu' }));
  }
  return fromLayersModel('MLP', model, input([MLP_BATCH, MLP_WIDTH]));
}

/** The demo CNN in PyTorch layout (NCHW), mirroring `examples/cnn`. */
export function cnnNn(): BenchModel {
  nn.manualSeed(2);
  const conv1 = new nn.Conv2d(3, 8, 3, { padding: 1 });
  const bn = new nn.BatchNorm2d(8);
  const conv2 = new nn.Conv2d(8, 16, 3, { padding: 1 });
  const fc1 = new nn.Linear(16 * 16 * 16, 32);
  const fc2 = new nn.Linear(32, 10);
  const module = new nn.Sequential(
    conv1, bn, new nn.ReLU(), new nn.MaxPool2d(2), conv2, new nn.ReLU(), new nn.Flatten(),
    fc1, new nn.ReLU(), new nn.Dropout(0.5), fc2,
  ).eval();
  const x = input([CNN_BATCH, 3, 32, 32]);
  // The ops Conv2d, BatchNorm2d (eval), MaxPool2d, Flatten and Linear run, in the same order.
  const conv = (t: tf.Tensor, c: nn.Conv2d) => {
    const padded = tf.pad(t.transpose([0, 2, 3, 1]) as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const y = tf.add(tf.conv2d(padded, c.weight.transpose([2, 3, 1, 0]) as tf.Tensor4D, 1, 'valid', 'NHWC', 1), c.bias as tf.Tensor);
    return y.transpose([0, 3, 1, 2]);
  };
  const bshape = [1, 8, 1, 1];
  const linear = (t: tf.Tensor, l: nn.Linear) => tf.add(tf.matMul(t, tf.transpose(l.weight)), l.bias as tf.Tensor);
  const raw = () => {
    let h = conv(x, conv1);
    const rm = bn.running_mean as tf.Tensor;
    const rv = bn.running_var as tf.Tensor;
    h = tf.mul(tf.sub(h, rm.reshape(bshape)), tf.rsqrt(tf.add(rv, bn.eps)).reshape(bshape));
    h = tf.add(tf.mul(h, (bn.weight as tf.Tensor).reshape(bshape)), (bn.bias as tf.Tensor).reshape(bshape));
    h = tf.relu(h);
    h = tf.maxPool(h.transpose([0, 2, 3, 1]) as tf.Tensor4D, 2, 2, 'valid').transpose([0, 3, 1, 2]);
    h = tf.relu(conv(h, conv2));
    h = tf.reshape(h, [CNN_BATCH, -1]);
    h = tf.relu(linear(h, fc1));
    return linear(h, fc2);
  };
  return { model: 'CNN', flavor: 'nn', module, input: x, raw, rawForGrad: raw, dispose: () => { module.dispose(); x.dispose(); } };
}

/** The demo CNN itself: `examples/cnn/model.json` (NHWC), loaded as the server loads it. */
export async function cnnLayers(): Promise<BenchModel> {
  const model = await loadModelJson(DEMO_CNN);
  return fromLayersModel('CNN', model, input([CNN_BATCH, 32, 32, 3]));
}

function fromLayersModel(name: 'MLP' | 'CNN', model: tf.LayersModel, x: tf.Tensor): BenchModel {
  const module = adaptLayersModel(model);
  return {
    model: name,
    flavor: 'layers',
    module,
    input: x,
    // One batch, as Module Lens runs it (predict would otherwise split it into batches of 32).
    raw: () => model.predict(x, { batchSize: x.shape[0] }) as tf.Tensor,
    rawForGrad: () => model.apply(x, { training: false }) as tf.Tensor,
    // The adapter's parameters and buffers are the layers' own variables: this frees them all.
    dispose: () => { module.dispose(); x.dispose(); },
  };
}

/** Every hook-overhead model, built on the active backend. */
export async function allModels(): Promise<BenchModel[]> {
  return [mlpNn(), mlpLayers(), cnnNn(), await cnnLayers()];
}
