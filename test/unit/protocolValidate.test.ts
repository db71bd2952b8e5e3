import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNever, isAbsolutePath, MAX_PAGE_SIZE, parseBackendPreference, validateCloseModelParams,
  validateAttachHookParams, validateGetChildrenParams, validateModulePath, validateOpenModelParams, validateSetTrainingParams,
  type NodeInfo,
} from '../../src/protocol';

/** Every problem is reported as one line, so it can go straight into an error reply. */
function oneLine(problem: string | undefined): string {
  assert.ok(problem, 'expected a problem');
  assert.ok(!problem.includes('\n'), `not one line: ${problem}`);
  return problem;
}

describe('protocol validators', () => {
  it('accept well-formed params', () => {
    assert.equal(validateOpenModelParams({ file: '/w/examples/custom-linear.ts' }), undefined);
    assert.equal(validateOpenModelParams({ file: 'C:\\w\\model.json' }), undefined);
    assert.equal(validateCloseModelParams({ modelId: 'm1' }), undefined);
    assert.equal(validateGetChildrenParams({ modelId: 'm1', path: '' }), undefined);
    assert.equal(validateGetChildrenParams({ modelId: 'm1', path: 'features.0', group: 'buffers', offset: 0, limit: MAX_PAGE_SIZE }), undefined);
    assert.equal(validateSetTrainingParams({ modelId: 'm1', path: 'fc', mode: false, recursive: true }), undefined);
  });

  it('attachHook takes a restored hit count only as a non-negative integer', () => {
    const hook = { modelId: 'm1', path: 'fc', kind: 'forward', hookId: 3 };
    assert.equal(validateAttachHookParams({ ...hook, hits: 0 }), undefined);
    assert.equal(validateAttachHookParams({ ...hook, hits: 12 }), undefined);
    for (const bad of [-1, 1.5, '3', null, Number.POSITIVE_INFINITY]) {
      assert.match(oneLine(validateAttachHookParams({ ...hook, hits: bad })), /^attachHook: .*"?hits"?/);
    }
  });

  it('reject non-objects with one line naming the request', () => {
    for (const bad of [undefined, null, 3, 'x', [], [{ file: '/a.ts' }]]) {
      assert.match(oneLine(validateOpenModelParams(bad)), /^openModel: params must be an object/);
      assert.match(oneLine(validateGetChildrenParams(bad)), /^getChildren: params must be an object/);
    }
  });

  it('reject wrong field types and say which field', () => {
    assert.match(oneLine(validateOpenModelParams({ file: 42 })), /"file" must be a string, got number/);
    assert.match(oneLine(validateOpenModelParams({ file: '' })), /"file" must not be empty/);
    assert.match(oneLine(validateOpenModelParams({ file: 'examples/x.ts' })), /absolute path/);
    assert.match(oneLine(validateCloseModelParams({})), /"modelId" must be a string, got undefined/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1' })), /path is missing/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: 7 })), /path must be a string/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: 'a..b' })), /empty segment/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', group: 'grads' })), /"group" must be/);
    assert.match(oneLine(validateSetTrainingParams({ modelId: 'm1', path: '', mode: 'train', recursive: true })), /"mode" must be a boolean/);
    assert.match(oneLine(validateSetTrainingParams({ modelId: 'm1', path: '', mode: true })), /"recursive" must be a boolean/);
  });

  it('bound paging arguments', () => {
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', offset: -1 })), /"offset" must be an integer/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', offset: 1.5 })), /"offset"/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', limit: 0 })), /"limit"/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', limit: MAX_PAGE_SIZE + 1 })), /"limit"/);
    assert.match(oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', limit: '10' })), /"limit"/);
  });

  it('shorten long strings in messages', () => {
    const problem = oneLine(validateGetChildrenParams({ modelId: 'm1', path: '', group: 'x'.repeat(500) }));
    assert.ok(problem.length < 150, problem);
  });

  it('module paths and absolute files', () => {
    assert.equal(validateModulePath(''), undefined);
    assert.equal(validateModulePath('layer1.0.conv1'), undefined);
    assert.ok(validateModulePath('.a'));
    assert.ok(validateModulePath('a.'));
    assert.equal(isAbsolutePath('/a'), true);
    assert.equal(isAbsolutePath('\\\\host\\share\\m.json'), true);
    assert.equal(isAbsolutePath('d:/m.ts'), true);
    assert.equal(isAbsolutePath('./m.ts'), false);
  });

  it('backend preference falls back to auto', () => {
    assert.equal(parseBackendPreference('wasm'), 'wasm');
    assert.equal(parseBackendPreference('WASM'), 'auto');
    assert.equal(parseBackendPreference(undefined), 'auto');
  });
});

describe('assertNever', () => {
  it('names the unknown kind a peer sent', () => {
    const fromNewerPeer = { kind: 'gradient' } as unknown as never;
    assert.throws(() => assertNever(fromNewerPeer, 'node kind'), /Unexpected node kind: "gradient"/);
  });

  it('makes switches over NodeInfo exhaustive', () => {
    // Compiles only while every kind is handled; the run-time part checks the labels.
    const label = (n: NodeInfo): string => {
      switch (n.kind) {
        case 'module': return n.type;
        case 'group': return n.group;
        case 'parameter': return `param ${n.name}`;
        case 'buffer': return `buffer ${n.name}`;
        default: return assertNever(n, 'node kind');
      }
    };
    assert.equal(label({ kind: 'buffer', modelId: 'm1', path: 'bn.running_mean', name: 'running_mean', shape: [4], dtype: 'float32', persistent: true }), 'buffer running_mean');
  });
});
