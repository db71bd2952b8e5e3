/** Attribute routing, registration checks, traversal, modes, state dicts and reprs of nn.Module. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tf } from '../../src';

class Net extends nn.Module {
  declare w: nn.Parameter;
  declare fc: nn.Linear;
  constructor() {
    super();
    this.w = new nn.Parameter(tf.ones([2]));
    this.fc = new nn.Linear(2, 2);
    this.registerBuffer('stat', tf.zeros([2]));
    this.registerBuffer('scratch', tf.zeros([1]), false);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return this.fc(tf.mul(x, this.w));
  }
}

test('assignment routes Parameters, Modules and buffers to their registries, as __setattr__', () => {
  const m = new Net() as any;
  assert.deepEqual([...m._parameters.keys()], ['w']);
  assert.deepEqual([...m._modules.keys()], ['fc']);
  assert.deepEqual([...m._buffers.keys()], ['stat', 'scratch']);
  assert.equal(Object.prototype.hasOwnProperty.call(m, 'w'), true, 'registered names are visible as own keys');
  assert.ok(Object.keys(m).includes('fc'));

  // A parameter name takes only a Parameter or null; after delete it can hold a Module.
  assert.throws(() => { m.w = new nn.Identity(); }, /cannot assign 'Identity' as parameter 'w' \(nn.Parameter or null expected\)/);
  m.w = null;
  assert.equal(m._parameters.get('w'), null);
  delete m.w;
  m.w = new nn.Identity();
  assert.equal(m._parameters.has('w'), false);
  assert.ok(m._modules.get('w') instanceof nn.Identity);
  // A plain value on a module name is refused, null clears it.
  assert.throws(() => { m.fc = 3; }, /cannot assign 'number' as child module 'fc'/);
  m.fc = null;
  assert.equal(m._modules.get('fc'), null);
  assert.equal(m.fc, null);
  // Buffers accept tensors or null only.
  assert.throws(() => { m.stat = 'x'; }, /cannot assign 'string' as buffer 'stat'/);
  const t = tf.ones([2]);
  m.stat = t;
  assert.equal(m._buffers.get('stat'), t);
  // A plain attribute stays a plain attribute.
  m.note = 'hello';
  assert.equal(m.note, 'hello');
  assert.equal(m._parameters.has('note') || m._modules.has('note') || m._buffers.has('note'), false);
  // delete removes from whichever registry holds the name, as __delattr__.
  delete m.w;
  delete m.stat;
  assert.equal(m._modules.has('w'), false);
  assert.equal(m._buffers.has('stat'), false);
  assert.equal('w' in m, false);
  m.dispose();
  t.dispose();
});

test('registration checks names as PyTorch does', () => {
  const m = new nn.Module();
  assert.throws(() => m.registerParameter('a.b', new nn.Parameter(tf.zeros([1]))), /can't contain "."/);
  assert.throws(() => m.registerBuffer('', tf.zeros([1])), /can't be empty/);
  assert.throws(() => m.addModule('train', new nn.Identity()), /attribute 'train' already exists/);
  (m as any).plain = 1;
  assert.throws(() => m.registerBuffer('plain', tf.zeros([1])), /attribute 'plain' already exists/);
  assert.throws(() => m.registerParameter('p', tf.zeros([1]) as any), /nn.Parameter or null required/);
  m.registerParameter('p', null);
  assert.equal((m as any).p, null);
  assert.deepEqual([...m.parameters()], []);
});

test('non-persistent buffers stay out of stateDict; namedBuffers lists all', () => {
  const m = new Net();
  assert.deepEqual([...m.namedBuffers()].map(([n]) => n), ['stat', 'scratch']);
  assert.deepEqual([...m.stateDict().keys()], ['w', 'stat', 'fc.weight', 'fc.bias']);
  assert.equal(m.isNonPersistentBuffer('scratch'), true);
  m.dispose();
});

test('a shared module and a shared parameter are yielded once', () => {
  const shared = new nn.Linear(2, 2);
  const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
  assert.deepEqual([...seq.namedModules()].map(([n]) => n), ['', '0', '1']);
  assert.deepEqual([...seq.namedParameters()].map(([n]) => n), ['0.weight', '0.bias']);
  assert.deepEqual([...seq.namedChildren()].map(([n]) => n), ['0', '1']);
  assert.deepEqual([...seq.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
  shared.dispose();
});

test('getSubmodule, getParameter and getBuffer follow dotted paths with PyTorch errors', () => {
  const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.BatchNorm1d(3)));
  assert.equal(seq.getSubmodule('1.0').typeName, 'BatchNorm1d');
  assert.equal(seq.getSubmodule(''), seq);
  assert.deepEqual(seq.getParameter('0.weight').shape, [3, 2]);
  assert.deepEqual(seq.getBuffer('1.0.running_var').shape, [3]);
  assert.throws(() => seq.getSubmodule('1.5'), /Sequential has no attribute `5`/);
  assert.throws(() => seq.getParameter('0.nope'), /Linear has no parameter `nope`/);
  seq.dispose();
});

test('apply visits children before the parent; train/eval recurse and return the module', () => {
  const seq = new nn.Sequential(new nn.Linear(1, 1), new nn.Sequential(new nn.Dropout())) as any;
  const order: string[] = [];
  assert.equal(seq.apply((m: nn.Module) => order.push(m.typeName)), seq);
  assert.deepEqual(order, ['Linear', 'Dropout', 'Sequential', 'Sequential']);
  assert.equal(seq.eval(), seq);
  assert.equal(seq.at(1).at(0).training, false);
  seq.at(1).train();
  assert.equal(seq.training, false);
  assert.equal(seq.at(1).at(0).training, true);
  assert.throws(() => seq.train('yes' as any), /boolean/);
  seq.dispose();
});

test('loadStateDict copies values and reports keys; strict mode raises PyTorch\'s message', () => {
  const a = new nn.Linear(3, 2);
  const b = new nn.Linear(3, 2);
  const r = b.loadStateDict(a.stateDict());
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  assert.deepEqual([...b.weight.dataSync()], [...a.weight.dataSync()]);
  const extra = tf.zeros([1]);
  const partial = new Map<string, tf.Tensor>([['weight', a.weight], ['extra', extra]]);
  assert.throws(() => b.loadStateDict(partial), (e: Error) => {
    assert.equal(e.message, 'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". \n\tUnexpected key(s) in state_dict: "extra". ');
    return true;
  });
  assert.deepEqual(b.loadStateDict(partial, false), { missingKeys: ['bias'], unexpectedKeys: ['extra'] });
  const wrong = tf.zeros([2, 4]);
  assert.throws(() => b.loadStateDict({ weight: wrong, bias: a.bias! }, false),
    /size mismatch for weight: copying a param with shape \[2, 4\] from checkpoint, the shape in current model is \[2, 3\]/);
  tf.dispose([extra, wrong]);
  a.dispose();
  b.dispose();
});

test('reprs: nested children, None children, extra lines', () => {
  const m = new nn.Module();
  m.addModule('a', new nn.ReLU());
  m.addModule('gone', null);
  assert.equal(String(m), 'Module(\n  (a): ReLU()\n  (gone): None\n)');
  assert.equal(String(new nn.Module()), 'Module()');
  assert.equal(String(new nn.ModuleDict({ x: new nn.Tanh() })), 'ModuleDict(\n  (x): Tanh()\n)');
});

test('Sequential, ModuleList and ModuleDict behave as their PyTorch namesakes', () => {
  const seq = new nn.Sequential(new Map<string, nn.Module>([['fc', new nn.Linear(2, 2)], ['act', new nn.ReLU()]]));
  assert.deepEqual([...seq._modules.keys()], ['fc', 'act']);
  assert.equal(seq.length, 2);
  assert.equal(seq.at(-1).typeName, 'ReLU');
  const list = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
  list.insert(1, new nn.Sigmoid());
  assert.deepEqual([...list].map((m) => m.typeName), ['ReLU', 'Sigmoid', 'Tanh']);
  assert.equal((list as any)[2].typeName, 'Tanh');
  assert.throws(() => list(tf.zeros([1])), /missing the required "forward" function/);
  const dict = new nn.ModuleDict();
  dict.set('enc', new nn.Linear(1, 1));
  assert.deepEqual(dict.keys(), ['enc']);
  assert.equal(dict.has('enc'), true);
  assert.equal(dict.pop('enc')!.typeName, 'Linear');
  assert.equal(dict.length, 0);
  seq.dispose();
});

test('zeroGrad clears gradients; backward accumulates them like PyTorch', () => {
  const lin = new nn.Linear(2, 1);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  tf.dispose(nn.backward(() => lin(x).sum() as tf.Scalar, lin.parameters()));
  const first = [...lin.weight.grad!.dataSync()];
  assert.deepEqual(first, [4, 6]);
  tf.dispose(nn.backward(() => lin(x).sum() as tf.Scalar, lin.parameters()));
  assert.deepEqual([...lin.weight.grad!.dataSync()], [8, 12]);
  lin.zeroGrad();
  assert.equal(lin.weight.grad, null);
  x.dispose();
  lin.dispose();
});

test('a Parameter is a trainable tf.Variable with requiresGrad mapped to trainable', () => {
  const p = new nn.Parameter(tf.zeros([2]));
  assert.ok(p instanceof tf.Variable);
  assert.ok(p instanceof nn.Parameter);
  assert.equal(p.trainable, true);
  p.requiresGrad = false;
  assert.equal(p.trainable, false);
  assert.equal(tf.zeros([1]) instanceof nn.Parameter, false);
  p.dispose();
});

test('model construction and calls return tf.memory() to its baseline', () => {
  const baseline = tf.memory().numTensors;
  const seq = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(3, 1));
  const x = tf.randomNormal([5, 4]);
  for (let i = 0; i < 3; i++) tf.dispose(seq(x));
  seq.eval();
  tf.dispose(seq(x));
  tf.dispose(nn.backward(() => (seq(x) as tf.Tensor).sum() as tf.Scalar));
  x.dispose();
  seq.dispose();
  assert.equal(tf.memory().numTensors, baseline);
});
