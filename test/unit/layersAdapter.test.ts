/** Any tf.LayersModel through the nn.Module lens: tree, weights, training flag, hooks, parity, files. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nn, tf } from '../../src';
import { adaptLayersModel, loadModelJson, saveModelJson } from '../../src/adapters/layersModel';
import { readSafetensors, writeSafetensors } from '../../src/adapters/tensorFiles/safetensors';

const CNN_JSON = path.resolve(__dirname, '../../../examples/cnn/model.json');

const tmpDirs: string[] = [];
after(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-layers-'));
  tmpDirs.push(dir);
  return dir;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** conv → BN → pool → conv → dense → dropout → dense, built in code. */
function buildCnn(): tf.Sequential {
  return tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.conv2d({ name: 'conv_1', inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization({ name: 'bn_1' }),
      tf.layers.maxPooling2d({ name: 'pool_1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'conv_2', filters: 6, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense_1', units: 8, activation: 'relu' }),
      tf.layers.dropout({ name: 'dropout', rate: 0.5 }),
      tf.layers.dense({ name: 'logits', units: 3 }),
    ],
  });
}

/** A functional model with a nested Sequential block and a layer shared by two call sites. */
function buildFunctional(): tf.LayersModel {
  const block = tf.sequential({ name: 'block_1', layers: [tf.layers.dense({ name: 'conv', units: 4, inputShape: [4] }), tf.layers.batchNormalization({ name: 'norm' })] });
  const input = tf.input({ shape: [3], name: 'x' });
  const shared = tf.layers.dense({ name: 'shared', units: 4, activation: 'tanh' });
  let h = tf.layers.dense({ name: 'stem', units: 4 }).apply(input) as tf.SymbolicTensor;
  h = shared.apply(h) as tf.SymbolicTensor;
  h = shared.apply(h) as tf.SymbolicTensor;
  h = block.apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'head', units: 2 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'functional' });
}

test('a Sequential conv net becomes a module tree with parameters, buffers and tfjs class names', () => {
  const model = buildCnn();
  const m = adaptLayersModel(model);
  assert.equal(m.typeName, 'Sequential');
  assert.deepEqual([...m.namedModules()].map(([n, c]) => `${n}:${c.typeName}`), [
    ':Sequential', 'conv_1:Conv2D', 'bn_1:BatchNormalization', 'pool_1:MaxPooling2D', 'conv_2:Conv2D',
    'flatten:Flatten', 'dense_1:Dense', 'dropout:Dropout', 'logits:Dense',
  ]);
  assert.deepEqual([...m.getSubmodule('bn_1')._parameters.keys()], ['gamma', 'beta']);
  assert.deepEqual([...m.getSubmodule('bn_1')._buffers.keys()], ['moving_mean', 'moving_variance']);
  assert.deepEqual([...m.stateDict().keys()], [
    'conv_1.kernel', 'conv_1.bias', 'bn_1.gamma', 'bn_1.beta', 'bn_1.moving_mean', 'bn_1.moving_variance',
    'conv_2.kernel', 'conv_2.bias', 'dense_1.kernel', 'dense_1.bias', 'logits.kernel', 'logits.bias',
  ]);
  assert.equal(m.training, false, 'adapted models start in eval mode, like predict');
  assert.match(String(m), /^Sequential\(\n {2}\(conv_1\): Conv2D\(filters=4, kernelSize=\(3, 3\)/);
  model.dispose();
});

test('eval forward equals model.predict within 1e-6, and the tensors are released', () => {
  const model = buildCnn();
  const m = adaptLayersModel(model);
  const x = tf.randomNormal([2, 8, 8, 3]);
  const baseline = tf.memory().numTensors;
  const ours = m(x) as tf.Tensor;
  const theirs = model.predict(x) as tf.Tensor;
  assert.ok(maxDiff(ours, theirs) <= 1e-6);
  tf.dispose([ours, theirs]);
  assert.equal(tf.memory().numTensors, baseline);
  x.dispose();
  model.dispose();
});

test('training flag: Dropout acts and BatchNormalization updates its moving statistics only in training', () => {
  const model = buildCnn();
  const m = adaptLayersModel(model);
  const x = tf.randomNormal([4, 8, 8, 3]);
  const mean0 = [...m.getBuffer('bn_1.moving_mean').dataSync()];
  tf.dispose([m(x), m(x)]);
  assert.deepEqual([...m.getBuffer('bn_1.moving_mean').dataSync()], mean0, 'eval leaves moving stats alone');
  const dropIn: tf.Tensor[] = [];
  const dropOut: tf.Tensor[] = [];
  m.getSubmodule('dropout').registerForwardHook((_mod, args, out: tf.Tensor) => {
    dropIn.push(tf.keep((args[0] as tf.Tensor).clone()));
    dropOut.push(tf.keep(out.clone()));
  });
  m.train();
  tf.dispose(m(x));
  assert.notDeepEqual([...m.getBuffer('bn_1.moving_mean').dataSync()], mean0, 'training updates moving stats');
  const zeroed = tf.tidy(() => tf.logicalAnd(tf.equal(dropOut[0], 0), tf.notEqual(dropIn[0], 0)).sum().dataSync()[0]);
  assert.ok(zeroed > 0, 'dropout drops in training');
  // Only the dropout module back in eval: it passes values through unchanged.
  m.getSubmodule('dropout').eval();
  tf.dispose(m(x));
  assert.equal(maxDiff(dropIn[1], dropOut[1]), 0);
  tf.dispose([...dropIn, ...dropOut, x]);
  model.dispose();
});

test('a functional model with a nested Sequential and a shared layer', () => {
  const model = buildFunctional();
  const m = adaptLayersModel(model);
  assert.deepEqual([...m.namedModules()].map(([n]) => n), ['', 'stem', 'shared', 'block_1', 'block_1.conv', 'block_1.norm', 'head']);
  assert.ok([...m.stateDict().keys()].includes('block_1.conv.kernel'));
  const calls: number[][] = [];
  m.getSubmodule('shared').registerForwardHook((_mod, args) => { calls.push((args[0] as tf.Tensor).shape); });
  const nested: string[] = [];
  m.getSubmodule('block_1.norm').registerForwardPreHook(() => { nested.push('norm'); });
  const x = tf.randomNormal([5, 3]);
  const y = m(x) as tf.Tensor;
  assert.equal(calls.length, 2, 'a shared layer fires once per call site');
  assert.deepEqual(nested, ['norm']);
  const p = model.predict(x) as tf.Tensor;
  assert.ok(maxDiff(y, p) <= 1e-6);
  tf.dispose([x, y, p]);
  model.dispose();
});

test('a forward hook that replaces a layer output changes what downstream layers see', () => {
  const model = buildFunctional();
  const m = adaptLayersModel(model);
  const x = tf.randomNormal([2, 3]);
  m.getSubmodule('block_1.norm').registerForwardHook((_mod, _args, out: tf.Tensor) => tf.zerosLike(out));
  const y = m(x) as tf.Tensor;
  // head(0) is head's bias.
  const bias = m.getParameter('head.bias');
  assert.ok(maxDiff(y, tf.tidy(() => tf.tile(bias.expandDims(0), [2, 1]))) <= 1e-7);
  tf.dispose([x, y]);
  model.dispose();
});

test('backward hooks and .grad work on nested layers; nn.backward fills every parameter', () => {
  const model = buildFunctional();
  const m = adaptLayersModel(model);
  const x = tf.randomNormal([5, 3]);
  const seen: string[] = [];
  m.getSubmodule('block_1.conv').registerFullBackwardHook((_mod, gi, go) => { seen.push(`${gi[0]?.shape} ${go[0]?.shape}`); });
  m.getSubmodule('head').registerFullBackwardPreHook(() => { seen.push('head pre'); });
  tf.dispose(nn.backward(() => (m(x) as tf.Tensor).sum() as tf.Scalar, m.parameters()));
  assert.deepEqual(seen, ['head pre', '5,4 5,4']);
  for (const [name, p] of m.namedParameters()) assert.ok(p.grad, `${name} has a gradient`);
  // The gradient of sum(x·W + b) with respect to the head's bias is the batch size.
  assert.deepEqual([...m.getParameter('head.bias').grad!.dataSync()], [5, 5]);
  x.dispose();
  model.dispose();
});

test('save and reload with the project handler: same tree, same numbers; sharded files', async () => {
  const model = buildCnn();
  const dir = tmpDir();
  const file = await saveModelJson(model, dir, { shardBytes: 1024 });
  assert.ok(fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).length > 1, 'several shards');
  const loaded = await loadModelJson(file);
  const a = adaptLayersModel(model);
  const b = adaptLayersModel(loaded);
  assert.deepEqual([...b.stateDict().keys()], [...a.stateDict().keys()]);
  const x = tf.randomNormal([1, 8, 8, 3]);
  const ya = a(x) as tf.Tensor;
  const yb = b(x) as tf.Tensor;
  assert.equal(maxDiff(ya, yb), 0);
  tf.dispose([x, ya, yb]);
  model.dispose();
  loaded.dispose();
});

for (const q of ['uint8', 'uint16', 'float16'] as const) {
  test(`a ${q}-quantized save reloads with dequantized weights`, async () => {
    const model = buildCnn();
    const dir = tmpDir();
    const file = await saveModelJson(model, dir, { quantization: q });
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')).weightsManifest[0].weights;
    assert.equal(manifest[0].quantization.dtype, q);
    const loaded = await loadModelJson(file);
    const tol = q === 'uint8' ? 0.01 : q === 'uint16' ? 1e-4 : 1e-3;
    const orig = adaptLayersModel(model).stateDict();
    for (const [k, v] of adaptLayersModel(loaded).stateDict()) assert.ok(maxDiff(v, orig.get(k)!) <= tol, `${k} within ${tol}`);
    model.dispose();
    loaded.dispose();
  });
}

test('the demo CNN in examples/ loads from model.json and matches predict', async () => {
  const model = await loadModelJson(CNN_JSON);
  const m = adaptLayersModel(model);
  assert.deepEqual([...m.namedChildren()].map(([n]) => n), ['conv_1', 'bn_1', 'relu_1', 'pool_1', 'conv_2', 'flatten', 'dense_1', 'dropout', 'logits']);
  const x = tf.randomNormal([2, 32, 32, 3]);
  const y = m(x) as tf.Tensor;
  const p = model.predict(x) as tf.Tensor;
  assert.ok(maxDiff(y, p) <= 1e-6);
  tf.dispose([x, y, p]);
  model.dispose();
});

test('a Keras-converted model.json (modelTopology.model_config) loads', async () => {
  const json = JSON.parse(fs.readFileSync(CNN_JSON, 'utf8'));
  const dir = tmpDir();
  json.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: json.modelTopology };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.copyFileSync(path.join(path.dirname(CNN_JSON), 'group1-shard1of1.bin'), path.join(dir, 'group1-shard1of1.bin'));
  const model = await loadModelJson(path.join(dir, 'model.json'));
  assert.equal(adaptLayersModel(model).getSubmodule('conv_1').typeName, 'Conv2D');
  model.dispose();
});

test('state dicts export to safetensors and load back strictly', async () => {
  const a = buildCnn();
  const b = buildCnn();
  const ma = adaptLayersModel(a);
  const mb = adaptLayersModel(b);
  const file = path.join(tmpDir(), 'weights.safetensors');
  writeSafetensors(file, ma.stateDict());
  const { tensors } = readSafetensors(file);
  mb.loadStateDict(tensors);
  for (const [k, v] of mb.stateDict()) assert.equal(maxDiff(v, ma.stateDict().get(k)!), 0, k);
  const renamed = new Map([...tensors].map(([k, v]) => [k.replace('conv_1', 'conv_9'), v]));
  assert.throws(() => mb.loadStateDict(renamed), (e: Error) => {
    assert.match(e.message, /^Error\(s\) in loading state_dict for Sequential:\n\tMissing key\(s\) in state_dict: "conv_1.kernel", "conv_1.bias". \n\tUnexpected key\(s\) in state_dict: "conv_9\.(bias|kernel)", "conv_9\.(bias|kernel)". $/);
    return true;
  });
  const wrongShape = new Map(tensors);
  const bad = tf.zeros([3, 3, 3, 5]);
  wrongShape.set('conv_1.kernel', bad);
  assert.throws(() => mb.loadStateDict(wrongShape), /size mismatch for conv_1.kernel/);
  tf.dispose([...tensors.values(), bad]);
  a.dispose();
  b.dispose();
});

/** Writes a copy of the demo CNN with `edit` applied to its JSON, returns the model.json path. */
function brokenCopy(edit: (json: any, dir: string) => void, raw?: string): string {
  const dir = tmpDir();
  fs.copyFileSync(path.join(path.dirname(CNN_JSON), 'group1-shard1of1.bin'), path.join(dir, 'group1-shard1of1.bin'));
  const json = JSON.parse(fs.readFileSync(CNN_JSON, 'utf8'));
  edit(json, dir);
  fs.writeFileSync(path.join(dir, 'model.json'), raw ?? JSON.stringify(json));
  return path.join(dir, 'model.json');
}

const BAD_FILES: [string, () => string, RegExp][] = [
  ['invalid JSON', () => brokenCopy(() => undefined, '{"modelTopology": '), /model\.json: invalid JSON: /],
  ['a truncated file', () => brokenCopy(() => undefined, fs.readFileSync(CNN_JSON, 'utf8').slice(0, 500)), /model\.json: invalid JSON: /],
  ['an unknown layer class', () => brokenCopy((j) => { j.modelTopology.config.layers[2].class_name = 'FancyLayer'; }), /model\.json: unknown layer class 'FancyLayer'$/],
  ['a weight shape that does not match its bytes', () => brokenCopy((j) => { j.weightsManifest[0].weights[0].shape = [3, 3, 3, 9]; }), /model\.json: weight shards 'group1-shard1of1\.bin' hold \d+ bytes, but the manifest's weights need \d+/],
  ['a missing shard', () => brokenCopy((j) => { j.weightsManifest[0].paths = ['group1-shard1of2.bin']; }), /model\.json: weight shard 'group1-shard1of2\.bin' is missing$/],
  ['a shard shorter than the manifest says', () => brokenCopy((_j, dir) => {
    const f = path.join(dir, 'group1-shard1of1.bin');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1000));
  }), /model\.json: weight shards 'group1-shard1of1\.bin' hold 1000 bytes, but the manifest's weights need \d+/],
  ['a .. weight path', () => brokenCopy((j) => { j.weightsManifest[0].paths = ['../secret.bin']; }), /model\.json: weight path '\.\.\/secret\.bin' leaves the model's folder$/],
  ['an absolute weight path', () => brokenCopy((j) => { j.weightsManifest[0].paths = ['/etc/passwd']; }), /model\.json: weight path '\/etc\/passwd' is absolute/],
  ['a shape of 10^12 elements', () => brokenCopy((j) => { j.weightsManifest[0].weights[0].shape = [1000000, 1000000]; }), /model\.json: weight 'conv_1\/kernel' declares 1\.00e\+12 elements/],
  ['a graph model', () => brokenCopy((j) => { j.format = 'graph-model'; }), /is a graph model/],
  ['a layer weight shape that differs from the layer', () => brokenCopy((j) => {
    // Swap two same-sized weights' shapes so bytes add up but the layer disagrees.
    j.weightsManifest[0].weights[0].shape = [3, 3, 8, 3];
  }), /model\.json: .*[Ss]hape/],
];

for (const [what, make, pattern] of BAD_FILES) {
  test(`bad model.json: ${what} gives a one-line error naming the file`, async () => {
    const file = make();
    const baseline = tf.memory().numTensors;
    await assert.rejects(loadModelJson(file), (err: Error) => {
      assert.equal(err.name, 'ModelFileError');
      assert.ok(err.message.startsWith(file), err.message);
      assert.match(err.message, pattern);
      assert.equal(err.message.includes('\n'), false, 'one line');
      return true;
    });
    assert.equal(tf.memory().numTensors, baseline, 'nothing left allocated');
  });
}
