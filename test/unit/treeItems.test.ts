// The extension's pure adapters, tested without VS Code: tree rows built from
// protocol nodes, and the model-file rules (Restricted Mode, default model).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { BufferNode, GroupNode, ModelInfo, ModuleNode, ParameterNode } from '../../src/protocol';
import { buildTreeItem, formatCount, nodeId, parentId } from '../../src/extension/treeItems';
import { isCodeModelFile, refusalFor } from '../../src/extension/modelFiles';
import { chooseDefaultModel, DEFAULT_MODEL } from '../../src/extension/defaultModel';

const root: ModuleNode = {
  kind: 'module', modelId: 'm1', path: '', name: '', type: 'CustomLinearLayer', training: true,
  ownParams: 6, totalParams: 45, numBuffers: 1, numParams: 2, childCount: 3, repr: 'CustomLinearLayer()',
};
const model: ModelInfo = { modelId: 'm1', file: '/w/examples/custom-linear.ts', rootType: 'CustomLinearLayer', repr: 'CustomLinearLayer(...)', backend: 'wasm', root };
const linear: ModuleNode = {
  ...root, path: 'submodel_1', name: 'submodel_1', type: 'Linear', training: false, ownParams: 24, totalParams: 24,
  numBuffers: 0, numParams: 2, childCount: 0, repr: 'Linear(in_features=3, out_features=6, bias=True)',
};
const nested: ModuleNode = { ...linear, path: 'features.0.conv', name: 'conv', numParams: 0, childCount: 0, numBuffers: 0 };
const weight: ParameterNode = { kind: 'parameter', modelId: 'm1', path: 'submodel_1.weight', name: 'weight', shape: [6, 3], dtype: 'float32', requiresGrad: true };
const frozen: ParameterNode = { ...weight, path: 'w', name: 'w', requiresGrad: false };
const runningMean: BufferNode = { kind: 'buffer', modelId: 'm1', path: 'bn.running_mean', name: 'running_mean', shape: [4], dtype: 'float32', persistent: false };
const params: GroupNode = { kind: 'group', modelId: 'm1', path: 'submodel_1', group: 'parameters', count: 2 };

describe('tree items from NodeInfo', () => {
  it('root: label is the root type, description names the file, expanded', () => {
    const item = buildTreeItem(root, model);
    assert.equal(item.label, 'CustomLinearLayer');
    assert.equal(item.id, 'm1:');
    assert.equal(item.description, 'custom-linear.ts · 45 params · train');
    assert.equal(item.contextValue, 'module.train.root');
    assert.equal(item.collapsible, 'expanded');
    assert.match(item.tooltip, /^CustomLinearLayer\(\)\nroot of \/w\/examples\/custom-linear.ts\n/);
  });

  it('child module: label is the attribute name, description type · params · mode', () => {
    const item = buildTreeItem(linear, model);
    assert.equal(item.label, 'submodel_1');
    assert.equal(item.id, 'm1:submodel_1');
    assert.equal(item.description, 'Linear · 24 params · eval');
    assert.equal(item.contextValue, 'module.eval');
    assert.equal(item.tooltip.split('\n')[0], 'Linear(in_features=3, out_features=6, bias=True)');
    assert.equal(item.tooltip.split('\n')[1], 'submodel_1');
    assert.equal(item.collapsible, 'collapsed', 'its parameters group is a child');
  });

  it('a module with nothing under it is a leaf', () => {
    assert.equal(buildTreeItem(nested).collapsible, 'none');
    assert.equal(buildTreeItem({ ...nested, totalParams: 1 }).description, 'Linear · 1 param · eval');
  });

  it('groups and tensors', () => {
    const group = buildTreeItem(params);
    assert.deepEqual([group.label, group.id, group.contextValue, group.collapsible], ['Parameters (2)', 'm1:submodel_1#parameters', 'group.parameters', 'collapsed']);
    const w = buildTreeItem(weight);
    assert.deepEqual([w.label, w.id, w.description, w.contextValue], ['weight', 'm1:submodel_1.weight', '[6, 3] float32', 'parameter']);
    assert.equal(buildTreeItem(frozen).description, '[6, 3] float32 · no grad');
    const b = buildTreeItem(runningMean);
    assert.deepEqual([b.label, b.description, b.contextValue], ['running_mean', '[4] float32 · non-persistent', 'buffer']);
    assert.equal(buildTreeItem({ ...weight, shape: [] }).description, '[] float32');
  });

  it('ids are unique across one tree', () => {
    const ids = [root, linear, nested, weight, frozen, runningMean, params, { ...params, group: 'buffers' as const }].map(nodeId);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('parent ids point at the rows that contain a node', () => {
    assert.equal(parentId(root), undefined);
    assert.equal(parentId(linear), nodeId(root));
    assert.equal(parentId(nested), 'm1:features.0');
    assert.equal(parentId(params), nodeId(linear));
    assert.equal(parentId(weight), nodeId(params));
    assert.equal(parentId(frozen), 'm1:#parameters');
    assert.equal(parentId(runningMean), 'm1:bn#buffers');
  });

  it('counts stay short', () => {
    assert.deepEqual([0, 24, 1234, 9999, 10_000, 11_689_512, 2e9].map(formatCount), ['0', '24', '1,234', '9,999', '10k', '11.7M', '2B']);
  });
});

describe('model files in Restricted Mode', () => {
  it('knows code model files from data ones', () => {
    for (const f of ['a.ts', 'a.mts', 'a.js', 'a.mjs', 'a.cjs', 'A.TS']) assert.equal(isCodeModelFile(f), true, f);
    for (const f of ['model.json', 'a.d', 'ts', 'a.tsx.json']) assert.equal(isCodeModelFile(f), false, f);
  });

  it('refuses workspace JS/TS when untrusted, with a clear reason', () => {
    const reason = refusalFor('/w/examples/custom-linear.ts', false, false);
    assert.match(reason ?? '', /custom-linear\.ts is a TypeScript\/JavaScript model.*Restricted Mode.*trust this workspace/);
    assert.equal(refusalFor('/w/cnn/model.json', false, false), undefined, 'model.json is data, allowed');
    assert.equal(refusalFor('/w/examples/custom-linear.ts', true, false), undefined);
    assert.equal(refusalFor('/ext/examples/custom-linear.ts', false, true), undefined, 'the shipped demo is the extension\'s own code');
    assert.match(refusalFor('/w/weights.bin', true, false) ?? '', /not a model file/);
  });

  it('default model: the workspace copy when trusted, else the shipped one', () => {
    const ws = path.join('/w', DEFAULT_MODEL);
    const shipped = path.join('/ext', DEFAULT_MODEL);
    const exists = (f: string) => f === ws;
    assert.deepEqual(chooseDefaultModel(['/w'], '/ext', true, exists), { file: ws, builtin: false });
    const untrusted = chooseDefaultModel(['/w'], '/ext', false, exists);
    assert.equal(untrusted.file, shipped);
    assert.equal(untrusted.builtin, true);
    assert.match(untrusted.note ?? '', /Restricted Mode/);
    assert.deepEqual(chooseDefaultModel(['/other'], '/ext', true, exists), { file: shipped, builtin: true });
    assert.deepEqual(chooseDefaultModel([], '/ext', true, exists), { file: shipped, builtin: true });
    // Developing the extension itself: the workspace is the extension folder.
    assert.deepEqual(chooseDefaultModel(['/ext'], '/ext', true, (f) => f === shipped), { file: shipped, builtin: true });
  });
});
