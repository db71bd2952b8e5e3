/**
 * Numbers, names and strings checked against PyTorch 1.13 itself: the fixtures
 * in test/fixtures were written by scripts/make_fixtures.py with real PyTorch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tf } from '../../src';
import { disposeFixture, fixtureGroup, fixtureTensor, loadFixture, type Fixture } from './fixtures';
import { buildFromPython } from './pyCtor';
import { CustomLinearLayer } from '../../examples/custom-linear';

function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++) {
    const tol = atol + rtol * Math.abs(e[i]);
    if (!(Math.abs(a[i] - e[i]) <= tol)) assert.fail(`${what}[${i}]: got ${a[i]}, PyTorch ${e[i]}`);
  }
}

function withFixture(name: string, body: (f: Fixture) => void): void {
  const f = loadFixture(name);
  try { body(f); } finally { disposeFixture(f); }
}

test('every layer repr and state-dict key list matches PyTorch', () => {
  withFixture('layers', (f) => {
    for (const { ctor, repr, state_dict_keys } of f.meta.reprs as { ctor: string; repr: string; state_dict_keys: string[] }[]) {
      const m = buildFromPython(ctor);
      assert.equal(String(m), repr, ctor);
      assert.deepEqual([...m.stateDict().keys()], state_dict_keys, ctor);
      m.dispose();
    }
  });
});

test('every layer forward matches PyTorch for the same weights and input', () => {
  withFixture('layers', (f) => {
    for (const [name, c] of Object.entries(f.meta.cases as Record<string, { ctor: string }>)) {
      const m = buildFromPython(c.ctor).eval();
      m.loadStateDict(fixtureGroup(f, `${name}.state.`));
      const y = m(fixtureTensor(f, `${name}.input`)) as tf.Tensor;
      assertClose(y, fixtureTensor(f, `${name}.output`), `${name} (${c.ctor})`);
      y.dispose();
      m.dispose();
    }
  });
});

for (const [file, ctor] of [['batchnorm1d', 'nn.BatchNorm1d(3)'], ['batchnorm2d', 'nn.BatchNorm2d(4)']] as const) {
  test(`${ctor}: a training step, its running statistics and the eval output match PyTorch`, () => {
    withFixture(file, (f) => {
      for (const name of Object.keys(f.meta.cases)) {
        if (name === 'cma') continue;
        const bn = buildFromPython(ctor);
        bn.loadStateDict(fixtureGroup(f, `${name}.state.`));
        const x = fixtureTensor(f, `${name}.input`);
        const trainOut = bn(x) as tf.Tensor;
        assertClose(trainOut, fixtureTensor(f, `${name}.train_output`), `${name} train output`);
        for (const [k, expected] of fixtureGroup(f, `${name}.after.`)) {
          assertClose(bn.getBuffer(k), expected, `${name} ${k}`);
        }
        bn.eval();
        const evalOut = bn(x) as tf.Tensor;
        assertClose(evalOut, fixtureTensor(f, `${name}.eval_output`), `${name} eval output`);
        tf.dispose([trainOut, evalOut]);
        bn.dispose();
      }
    });
  });
}

test('BatchNorm1d with momentum=None keeps a cumulative average, as PyTorch', () => {
  withFixture('batchnorm1d', (f) => {
    const bn = new nn.BatchNorm1d(3, { momentum: null });
    bn.loadStateDict(fixtureGroup(f, 'cma.state.'));
    for (const step of [1, 2]) {
      const y = bn(fixtureTensor(f, `cma.input${step}`)) as tf.Tensor;
      assertClose(y, fixtureTensor(f, `cma.train_output${step}`), `step ${step} output`);
      for (const [k, expected] of fixtureGroup(f, `cma.after${step}.`)) assertClose(bn.getBuffer(k), expected, `step ${step} ${k}`);
      y.dispose();
    }
    bn.eval();
    const y = bn(fixtureTensor(f, 'cma.input2')) as tf.Tensor;
    assertClose(y, fixtureTensor(f, 'cma.eval_output'), 'eval output');
    y.dispose();
    bn.dispose();
  });
});

test('CustomLinearLayer: names, forward, hook capture, backward-hook order and gradients match PyTorch', () => {
  withFixture('custom_linear', (f) => {
    const m = new CustomLinearLayer(10, 5);
    assert.equal(String(m), f.meta.repr);
    assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.shape]), f.meta.named_parameters);
    assert.deepEqual([...m.namedChildren()].map(([n]) => n), f.meta.named_children);
    assert.deepEqual([...m.namedModules()].map(([n]) => n), f.meta.named_modules);
    assert.deepEqual([...m.stateDict().keys()], f.meta.state_dict_keys);
    m.loadStateDict(fixtureGroup(f, 'state.'));
    const x = fixtureTensor(f, 'input');

    const forwardOrder: string[] = [];
    const handles = [...m.namedModules()].map(([name, mod]) => mod.registerForwardHook(() => { forwardOrder.push(name); }));
    let captured: [tf.Tensor, tf.Tensor] | undefined;
    handles.push(m.submodel_2.registerForwardHook((_mod, args, out: tf.Tensor) => {
      captured = [tf.keep((args[0] as tf.Tensor).clone()), tf.keep(out.clone())];
    }));
    const y = m(x);
    assertClose(y, fixtureTensor(f, 'output'), 'output');
    assert.deepEqual(forwardOrder, f.meta.forward_hook_order);
    assertClose(captured![0], fixtureTensor(f, 'hook.submodel_2.input'), 'submodel_2 input');
    assertClose(captured![1], fixtureTensor(f, 'hook.submodel_2.output'), 'submodel_2 output');
    handles.forEach((h) => h.remove());

    const events: { module: string; type: string; gi: tf.Tensor | null; go: tf.Tensor }[] = [];
    for (const [name, mod] of m.namedModules()) {
      mod.registerFullBackwardHook((hm, gi, go) => {
        events.push({ module: name, type: hm.typeName, gi: gi[0] ? tf.keep(gi[0].clone()) : null, go: tf.keep(go[0]!.clone()) });
      });
    }
    const loss = nn.backward(() => (m(x) as tf.Tensor).sum() as tf.Scalar);
    assertClose(loss, fixtureTensor(f, 'loss'), 'loss');
    const expected = f.meta.backward_hooks as { index: number; module: string; type: string; grad_input_shape: number[] | null }[];
    assert.deepEqual(events.map((e) => [e.module, e.type]), expected.map((e) => [e.module, e.type]));
    events.forEach((e, i) => {
      if (expected[i].grad_input_shape === null) assert.equal(e.gi, null, `${e.module} gradInput is None`);
      else assertClose(e.gi!, fixtureTensor(f, `backward.${i}.grad_input`), `${e.module} gradInput`);
      assertClose(e.go, fixtureTensor(f, `backward.${i}.grad_output`), `${e.module} gradOutput`);
    });
    for (const [name, p] of m.namedParameters()) assertClose(p.grad!, fixtureTensor(f, `grad.${name}`), `grad of ${name}`);
    tf.dispose([y, loss, ...captured!, ...events.flatMap((e) => [e.gi, e.go]).filter((t): t is tf.Tensor => t !== null)]);
    m.dispose();
  });
});

test('backward pre-hooks and full hooks fire in PyTorch\'s order, with and without an input that needs grad', () => {
  withFixture('hooks', (f) => {
    for (const variant of ['plain', 'input_grad'] as const) {
      const model = buildFromPython('nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))');
      model.loadStateDict(fixtureGroup(f, 'state.'));
      const log: { kind: string; module: string; gi?: (tf.Tensor | null)[]; go: tf.Tensor[] }[] = [];
      for (const [name, mod] of model.namedModules()) {
        mod.registerFullBackwardPreHook((_m, go) => { log.push({ kind: 'backward_pre', module: name, go: go.map((g) => tf.keep(g!.clone())) }); });
        mod.registerFullBackwardHook((_m, gi, go) => {
          log.push({ kind: 'backward', module: name, gi: gi.map((g) => (g ? tf.keep(g.clone()) : null)), go: go.map((g) => tf.keep(g!.clone())) });
        });
      }
      // A leaf input that requires grad is a Parameter here.
      const input = variant === 'input_grad' ? new nn.Parameter(fixtureTensor(f, 'input').clone()) : fixtureTensor(f, 'input');
      const params = variant === 'input_grad' ? [...model.parameters(), input as nn.Parameter] : [...model.parameters()];
      tf.dispose(nn.backward(() => (model(input) as tf.Tensor).sum() as tf.Scalar, params));
      const expected = f.meta[variant].events as { kind: string; module: string; grad_input_shapes?: (number[] | null)[] }[];
      assert.deepEqual(log.map((e) => `${e.kind}:${e.module}`), expected.map((e) => `${e.kind}:${e.module}`), variant);
      log.forEach((e, i) => {
        assertClose(e.go[0], fixtureTensor(f, `${variant}.events.${i}.grad_output`), `${variant} event ${i} gradOutput`);
        if (e.kind === 'backward') {
          if (expected[i].grad_input_shapes![0] === null) assert.equal(e.gi![0], null);
          else assertClose(e.gi![0]!, fixtureTensor(f, `${variant}.events.${i}.grad_input`), `${variant} event ${i} gradInput`);
        }
      });
      for (const [name, p] of model.namedParameters()) assertClose(p.grad!, fixtureTensor(f, `${variant}.grad.${name}`), `${variant} grad ${name}`);
      if (variant === 'input_grad') {
        assertClose((input as nn.Parameter).grad!, fixtureTensor(f, 'input_grad.input.grad'), 'input grad');
        input.dispose();
      }
      tf.dispose(log.flatMap((e) => [...e.go, ...(e.gi ?? [])]).filter((t): t is tf.Tensor => t !== null));
      model.dispose();
    }
  });
});

test('a full backward hook that doubles gradInput changes upstream gradients as in PyTorch', () => {
  withFixture('hooks', (f) => {
    const model = buildFromPython('nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))');
    model.loadStateDict(fixtureGroup(f, 'state.'));
    model.getSubmodule('2').registerFullBackwardHook((_m, gi) => gi.map((g) => (g ? tf.mul(g, 2) : null)));
    tf.dispose(nn.backward(() => (model(fixtureTensor(f, 'input')) as tf.Tensor).sum() as tf.Scalar));
    for (const [name, p] of model.namedParameters()) assertClose(p.grad!, fixtureTensor(f, `doubled.grad.${name}`), `doubled grad ${name}`);
    model.dispose();
  });
});

test('the small CNN: eval output, train step buffers and every parameter gradient match PyTorch', () => {
  withFixture('cnn', (f) => {
    const model = buildFromPython(f.meta.ctor);
    assert.equal(String(model), f.meta.repr);
    assert.deepEqual([...model.stateDict().keys()], f.meta.state_dict_keys);
    assert.deepEqual([...model.namedBuffers()].map(([n, b]) => [n, b.shape]), f.meta.named_buffers);
    model.loadStateDict(fixtureGroup(f, 'state.'));
    const x = fixtureTensor(f, 'input');
    model.eval();
    const evalOut = model(x) as tf.Tensor;
    assertClose(evalOut, fixtureTensor(f, 'eval_output'), 'eval output', 1e-4);
    model.train();
    const loss = nn.backward(() => (model(x) as tf.Tensor).sum() as tf.Scalar);
    assertClose(loss, fixtureTensor(f, 'loss'), 'loss', 1e-3);
    for (const [k, expected] of fixtureGroup(f, 'after.')) assertClose(model.getBuffer(k), expected, `buffer ${k}`, 1e-4);
    for (const [name, p] of model.namedParameters()) assertClose(p.grad!, fixtureTensor(f, `grad.${name}`), `grad of ${name}`, 1e-3, 1e-3);
    tf.dispose([evalOut, loss]);
    model.dispose();
  });
});
