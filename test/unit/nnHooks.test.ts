/** Hook semantics, as PyTorch defines them: order, replacement, removal, errors, backward gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tf } from '../../src';

function fixedLinear(inF: number, outF: number, w: number[][], b: number[]): nn.Linear {
  const lin = new nn.Linear(inF, outF);
  const wt = tf.tensor2d(w);
  const bt = tf.tensor1d(b);
  lin.loadStateDict({ weight: wt, bias: bt });
  tf.dispose([wt, bt]);
  return lin;
}

test('firing order: global before own, registration order, prepend first', () => {
  const order: string[] = [];
  const lin = new nn.Linear(2, 2);
  const g = nn.registerModuleForwardHook(() => { order.push('global'); });
  lin.registerForwardHook(() => { order.push('a'); });
  lin.registerForwardHook(() => { order.push('b'); });
  lin.registerForwardHook(() => { order.push('first'); }, { prepend: true });
  lin.registerForwardPreHook(() => { order.push('pre'); });
  const gp = nn.registerModuleForwardPreHook(() => { order.push('global pre'); });
  const x = tf.ones([1, 2]);
  tf.dispose(lin(x));
  assert.deepEqual(order, ['global pre', 'pre', 'global', 'first', 'a', 'b']);
  g.remove();
  gp.remove();
  x.dispose();
  lin.dispose();
});

test('handles have unique ids and remove() is idempotent', () => {
  const lin = new nn.Linear(2, 2);
  const h1 = lin.registerForwardHook(() => undefined);
  const h2 = lin.registerForwardHook(() => undefined);
  assert.notEqual(h1.id, h2.id);
  h1.remove();
  h1.remove();
  assert.deepEqual([...lin._forwardHooks.keys()], [h2.id]);
  h2.remove();
  assert.equal(lin.hasHooks(), false);
  lin.dispose();
});

test('a pre-hook return replaces the args and a forward-hook return replaces the output', () => {
  const lin = fixedLinear(2, 1, [[1, 1]], [0]);
  const x = tf.tensor2d([[1, 2]]);
  const pre = lin.registerForwardPreHook((_m, args) => tf.mul(args[0] as tf.Tensor, 10));
  assert.deepEqual([...(lin(x) as tf.Tensor).dataSync()], [30]);
  const post = lin.registerForwardHook((_m, _args, out: tf.Tensor) => tf.add(out, 1));
  assert.deepEqual([...(lin(x) as tf.Tensor).dataSync()], [31]);
  pre.remove();
  post.remove();
  assert.deepEqual([...(lin(x) as tf.Tensor).dataSync()], [3]);
  x.dispose();
  lin.dispose();
});

test('a replaced output changes what downstream modules see', () => {
  const seq = new nn.Sequential(fixedLinear(1, 1, [[2]], [0]), fixedLinear(1, 1, [[3]], [0]));
  const seen: number[] = [];
  seq.at(0).registerForwardHook(() => tf.scalar(5).reshape([1, 1]));
  seq.at(1).registerForwardPreHook((_m, args) => { seen.push((args[0] as tf.Tensor).dataSync()[0]); });
  const x = tf.ones([1, 1]);
  const y = seq(x) as tf.Tensor;
  assert.deepEqual(seen, [5]);
  assert.equal(y.dataSync()[0], 15);
  tf.dispose([x, y]);
  seq.dispose();
});

test('m.forward(x) bypasses hooks', () => {
  const lin = new nn.Linear(2, 2);
  let fired = 0;
  lin.registerForwardHook(() => { fired++; });
  const x = tf.ones([1, 2]);
  tf.dispose(tf.tidy(() => lin.forward(x)));
  assert.equal(fired, 0);
  tf.dispose(lin(x));
  assert.equal(fired, 1);
  x.dispose();
  lin.dispose();
});

test('a throwing hook aborts the call with an error naming the hook and module path, leaving no tensor behind', () => {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 1)));
  const x = tf.ones([4, 3]);
  const baseline = tf.memory().numTensors;
  const h = model.getSubmodule('1.1').registerForwardHook(function explode() { throw new Error('boom'); });
  assert.throws(() => model(x), (e: Error) => {
    assert.equal(e.name, 'HookError');
    assert.match(e.message, new RegExp(`^forward hook 'explode' \\(id ${h.id}\\) on '1\\.1' \\(Linear\\) threw: boom$`));
    return true;
  });
  assert.equal(tf.memory().numTensors, baseline);
  h.remove();
  // The model keeps working once the hook is gone.
  const y = model(x) as tf.Tensor;
  assert.deepEqual(y.shape, [4, 1]);
  tf.dispose([x, y]);
  model.dispose();
});

test('a failing forward names the module path and the input shapes', () => {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(3, 1));
  const x = tf.ones([4, 3]);
  assert.throws(() => model(x), (e: Error) => {
    assert.equal(e.name, 'ModuleCallError');
    assert.match(e.message, /^forward of '1' \(Linear\) failed for input shapes \[4, 2\]: /);
    return true;
  });
  x.dispose();
  model.dispose();
});

test('full backward hooks see gradInput and gradOutput; a returned gradInput flows upstream', () => {
  // y = l2(relu(l1(x))), loss = sum(y)
  const l1 = fixedLinear(2, 2, [[1, -1], [2, 1]], [0, 0]);
  const l2 = fixedLinear(2, 1, [[3, 4]], [0]);
  const model = new nn.Sequential(l1, new nn.ReLU(), l2);
  const x = tf.tensor2d([[1, 2]]);
  const events: [string, (number[] | null)[], number[][]][] = [];
  for (const [name, m] of model.namedModules()) {
    m.registerFullBackwardHook((_m, gi, go) => {
      events.push([name, gi.map((g) => (g ? [...g.dataSync()] : null)), go.map((g) => [...g!.dataSync()])]);
    });
  }
  tf.dispose(nn.backward(() => (model(x) as tf.Tensor).sum() as tf.Scalar));
  // PyTorch fires in backward order; l1's input x needs no grad, so its gradInput is None.
  assert.deepEqual(events.map((e) => e[0]), ['', '2', '1', '0']);
  assert.deepEqual(events[1], ['2', [[3, 4]], [[1]]]);
  assert.deepEqual(events[2], ['1', [[0, 4]], [[3, 4]]]);
  assert.deepEqual(events[3], ['0', [null], [[0, 4]]]);
  // l1 = x·W1ᵀ = [-1, 4] → relu mask [0, 1]; dL/dW1 = [[0,0],[4,8]].
  assert.deepEqual([...l1.weight.grad!.dataSync()], [0, 0, 4, 8]);

  // Doubling gradInput at l2 doubles every gradient upstream of it.
  model.zeroGrad();
  const h = l2.registerFullBackwardHook((_m, gi) => gi.map((g) => (g ? tf.mul(g, 2) : null)));
  tf.dispose(nn.backward(() => (model(x) as tf.Tensor).sum() as tf.Scalar));
  assert.deepEqual([...l1.weight.grad!.dataSync()], [0, 0, 8, 16]);
  assert.deepEqual([...l2.weight.grad!.dataSync()], [0, 4]);
  h.remove();
  x.dispose();
  model.dispose();
});

test('backward pre-hooks fire before full hooks and may replace gradOutput', () => {
  const lin = fixedLinear(2, 1, [[1, 1]], [0]);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const order: string[] = [];
  lin.registerFullBackwardPreHook((_m, go) => { order.push('pre'); return go.map((g) => tf.mul(g!, 3)); });
  lin.registerFullBackwardHook((_m, _gi, go) => { order.push(`full ${go[0]!.dataSync()[0]}`); });
  tf.dispose(nn.backward(() => (lin(x) as tf.Tensor).sum() as tf.Scalar));
  assert.deepEqual(order, ['pre', 'full 3']);
  assert.deepEqual([...lin.weight.grad!.dataSync()], [12, 18]);
  x.dispose();
  lin.dispose();
});

test('a module with two tensor inputs gets both input gradients in one hook call', () => {
  class Mul extends nn.Module {
    override forward(a: tf.Tensor, b: tf.Tensor): tf.Tensor { return tf.mul(a, b); }
  }
  class Net extends nn.Module {
    declare p: nn.Parameter;
    declare q: nn.Parameter;
    declare mul: Mul;
    constructor() {
      super();
      this.p = new nn.Parameter(tf.tensor1d([2, 3]));
      this.q = new nn.Parameter(tf.tensor1d([5, 7]));
      this.mul = new Mul();
    }
    override forward(): tf.Tensor { return this.mul(tf.mul(this.p, 1), tf.mul(this.q, 1)); }
  }
  const net = new Net();
  const calls: number[][][] = [];
  net.mul.registerFullBackwardHook((_m, gi) => { calls.push(gi.map((g) => [...g!.dataSync()])); });
  tf.dispose(nn.backward(() => (net() as tf.Tensor).sum() as tf.Scalar));
  assert.deepEqual(calls, [[[5, 7], [2, 3]]]);
  net.dispose();
});

test('hooks leave tf.memory() at its baseline after forward and backward', () => {
  const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
  const x = tf.randomNormal([5, 4]);
  const baseline = tf.memory().numTensors;
  const handles = [...model.modules()].flatMap((m) => [
    m.registerForwardHook(() => undefined),
    m.registerFullBackwardHook(() => undefined),
    m.registerFullBackwardPreHook(() => undefined),
  ]);
  tf.dispose(model(x));
  tf.dispose(nn.backward(() => (model(x) as tf.Tensor).sum() as tf.Scalar));
  model.zeroGrad();
  handles.forEach((h) => h.remove());
  assert.equal(tf.memory().numTensors, baseline);
  x.dispose();
  model.dispose();
});
