/**
 * The same PyTorch checks on the wasm backend, the one users without
 * tfjs-node run on. Convolution gradients go through the cpu bridge for
 * the kernels wasm lacks.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tf } from '../../src';
import { selectBackend } from '../../src/adapters/backend';
import { disposeFixture, fixtureGroup, fixtureTensor, loadFixture } from './fixtures';
import { buildFromPython } from './pyCtor';

before(async () => {
  const { backend } = await selectBackend('wasm');
  assert.equal(backend, 'wasm');
});

function close(a: tf.Tensor, e: tf.Tensor, what: string, tol = 1e-3): void {
  assert.deepEqual(a.shape, e.shape, what);
  const av = a.dataSync();
  const ev = e.dataSync();
  ev.forEach((v, i) => { if (!(Math.abs(av[i] - v) <= tol + tol * Math.abs(v))) assert.fail(`${what}[${i}]: ${av[i]} vs PyTorch ${v}`); });
}

test('the small CNN forward, BatchNorm step and gradients match PyTorch on wasm', () => {
  const f = loadFixture('cnn');
  const model = buildFromPython(f.meta.ctor);
  model.loadStateDict(fixtureGroup(f, 'state.'));
  const x = fixtureTensor(f, 'input');
  const baseline = tf.memory().numTensors;
  model.eval();
  const y = model(x) as tf.Tensor;
  close(y, fixtureTensor(f, 'eval_output'), 'eval output');
  y.dispose();
  model.train();
  tf.dispose(nn.backward(() => (model(x) as tf.Tensor).sum() as tf.Scalar));
  for (const [name, p] of model.namedParameters()) close(p.grad!, fixtureTensor(f, `grad.${name}`), `grad of ${name}`);
  for (const [k, expected] of fixtureGroup(f, 'after.')) close(model.getBuffer(k), expected, `buffer ${k}`);
  model.zeroGrad();
  assert.equal(tf.memory().numTensors, baseline, 'the cpu bridge leaves nothing behind');
  model.dispose();
  disposeFixture(f);
});

test('Conv1d gradients also work on wasm', () => {
  const conv = new nn.Conv1d(3, 4, 3, { padding: 1 });
  const x = tf.randomNormal([2, 3, 9]);
  tf.dispose(nn.backward(() => (conv(x) as tf.Tensor).sum() as tf.Scalar));
  assert.deepEqual(conv.weight.grad!.shape, [4, 3, 3]);
  x.dispose();
  conv.dispose();
});
