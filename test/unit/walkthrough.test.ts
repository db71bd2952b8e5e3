/**
 * Reproduces, with Module Lens's API, every printed result of the
 * nn.Module internals walkthrough (the CustomLinearLayer article).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tf } from '../../src';
import { CustomLinearLayer } from '../../examples/custom-linear';

function makeModel(): CustomLinearLayer {
  nn.manualSeed(0);
  return new CustomLinearLayer(10, 5);
}

test('_parameters holds only the module\'s own parameters', () => {
  const m = makeModel();
  assert.deepEqual([...m._parameters.keys()], ['weight', 'bias']);
  assert.deepEqual(m._parameters.get('weight')!.shape, [5, 10]);
  assert.deepEqual(m._parameters.get('bias')!.shape, [5]);
  // custom_linear.bias is custom_linear._parameters['bias'].
  assert.equal(m.bias, m._parameters.get('bias'));
  assert.ok(m.bias instanceof nn.Parameter);
  m.dispose();
});

test('parameters() and namedParameters() list every parameter with its shape', () => {
  const m = makeModel();
  assert.deepEqual([...m.parameters()].map((p) => p.shape), [[5, 10], [5], [4, 5], [4], [2, 4], [2], [3, 2], [3], [5, 3], [5]]);
  assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.shape]), [
    ['weight', [5, 10]], ['bias', [5]],
    ['submodel_1.weight', [4, 5]], ['submodel_1.bias', [4]],
    ['submodel_2.weight', [2, 4]], ['submodel_2.bias', [2]],
    ['submodel_3.0.weight', [3, 2]], ['submodel_3.0.bias', [3]],
    ['submodel_3.1.weight', [5, 3]], ['submodel_3.1.bias', [5]],
  ]);
  m.dispose();
});

test('_modules, children, namedChildren and namedModules print as in PyTorch', () => {
  const m = makeModel();
  assert.deepEqual([...m._modules.keys()], ['submodel_1', 'submodel_2', 'submodel_3']);
  assert.equal(m.submodel_1, m._modules.get('submodel_1'));
  assert.equal([...m.children()].length, 3);
  const seqRepr = 'Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Linear(in_features=3, out_features=5, bias=True)\n)';
  assert.deepEqual([...m.namedChildren()].map(([n, c]) => `${n} ${c}`), [
    'submodel_1 Linear(in_features=5, out_features=4, bias=True)',
    'submodel_2 Linear(in_features=4, out_features=2, bias=True)',
    `submodel_3 ${seqRepr}`,
  ]);
  assert.deepEqual([...m.namedModules()].map(([n]) => n), ['', 'submodel_1', 'submodel_2', 'submodel_3', 'submodel_3.0', 'submodel_3.1']);
  assert.equal(String(m), [
    'CustomLinearLayer(',
    '  (submodel_1): Linear(in_features=5, out_features=4, bias=True)',
    '  (submodel_2): Linear(in_features=4, out_features=2, bias=True)',
    '  (submodel_3): Sequential(',
    '    (0): Linear(in_features=2, out_features=3, bias=True)',
    '    (1): Linear(in_features=3, out_features=5, bias=True)',
    '  )',
    ')',
  ].join('\n'));
  assert.equal(String(m.submodel_1), 'Linear(in_features=5, out_features=4, bias=True)');
  m.dispose();
});

test('stateDict keys are dotted paths in PyTorch order', () => {
  const m = makeModel();
  assert.deepEqual([...m.stateDict().keys()], [
    'weight', 'bias', 'submodel_1.weight', 'submodel_1.bias', 'submodel_2.weight', 'submodel_2.bias',
    'submodel_3.0.weight', 'submodel_3.0.bias', 'submodel_3.1.weight', 'submodel_3.1.bias',
  ]);
  m.dispose();
});

test('BatchNorm1d keeps running_mean, running_var and num_batches_tracked in _buffers and stateDict', () => {
  const bn = new nn.BatchNorm1d(3);
  const x = tf.randomUniform([4, 3]);
  const y = bn(x);
  assert.deepEqual([...bn._buffers.keys()], ['running_mean', 'running_var', 'num_batches_tracked']);
  assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  assert.deepEqual([...bn.stateDict().get('weight')!.dataSync()], [1, 1, 1]);
  assert.deepEqual([...bn.stateDict().get('bias')!.dataSync()], [0, 0, 0]);
  assert.equal(bn.num_batches_tracked!.dataSync()[0], 1);
  // One step with momentum 0.1 from (0, 1): the article prints running_mean ≈ 0.05, running_var ≈ 0.91.
  const mean = tf.mean(x, 0).dataSync();
  bn.running_mean!.dataSync().forEach((v, i) => assert.ok(Math.abs(v - 0.1 * mean[i]) < 1e-6));
  tf.dispose([x, y]);
  bn.dispose();
});

test('Dropout drops and rescales in training and is the identity in eval', () => {
  const input = tf.range(0, 12).reshape([3, 4]);
  const drop = new nn.Dropout();
  const trained = drop(input) as tf.Tensor;
  const values = trained.dataSync();
  const original = input.dataSync();
  values.forEach((v, i) => assert.ok(v === 0 || Math.abs(v - 2 * original[i]) < 1e-6, `element ${i}: ${v}`));
  drop.training = false;
  const evaluated = drop(input) as tf.Tensor;
  assert.deepEqual([...evaluated.dataSync()], [...original]);
  tf.dispose([input, trained, evaluated]);
});

test('eval() sets every training flag to false, train() back to true', () => {
  const m = makeModel();
  assert.deepEqual([m.training, m.submodel_1.training, m.submodel_2.training, m.submodel_3.training], [true, true, true, true]);
  m.eval();
  assert.deepEqual([m.training, m.submodel_1.training, m.submodel_2.training, m.submodel_3.training], [false, false, false, false]);
  assert.equal([...m.modules()].every((mod) => !mod.training), true);
  m.train();
  assert.equal([...m.modules()].every((mod) => mod.training), true);
  m.dispose();
});

test('a forward hook on submodel_2 sees input [3, 4] and output [3, 2], and its handle removes it', () => {
  const m = makeModel();
  const baseline = tf.memory().numTensors;
  const seen: { input: number[]; output: number[]; rows: number[][] }[] = [];
  let features: tf.Tensor | null = null;
  const handle = m.submodel_2.registerForwardHook((_mod, input, output: tf.Tensor) => {
    features?.dispose();
    features = tf.keep(output.clone());
    seen.push({ input: (input[0] as tf.Tensor).shape, output: output.shape, rows: output.arraySync() as number[][] });
  });
  const x = tf.randomNormal([3, 10]);
  const out = m(x);
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].input, [3, 4]);
  assert.deepEqual(seen[0].output, [3, 2]);
  // With the uninitialised (zero) weight, every sample reaches submodel_2 identically.
  assert.deepEqual(seen[0].rows[1], seen[0].rows[0]);
  assert.deepEqual(seen[0].rows[2], seen[0].rows[0]);
  assert.deepEqual(out.shape, [3, 5]);
  handle.remove();
  const again = m(x);
  assert.equal(seen.length, 1, 'the removed hook must not fire');
  assert.equal(m.submodel_2._forwardHooks.size, 0);
  tf.dispose([x, out, again, features!]);
  assert.equal(tf.memory().numTensors, baseline);
  m.dispose();
});
