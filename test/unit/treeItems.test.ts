// The extension's pure adapters, tested without VS Code: tree rows built from
// protocol nodes, and the model-file rules (Restricted Mode, default model).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { BufferNode, GroupNode, HookInfo, ModelInfo, ModuleListing, ModuleNode, ParameterNode, TensorStats } from '../../src/protocol';
import { buildTreeItem, formatCount, formatNumber, nodeId, parentId, type MoreNode } from '../../src/extension/treeItems';
import { buildHookItem } from '../../src/extension/hookItems';
import { isCodeModelFile, isStateDictFile, refusalFor, stateDictRefusal } from '../../src/extension/modelFiles';
import { describeInput, parseShape } from '../../src/extension/runInputs';
import { stateDictDocument, stateDictEntries } from '../../src/extension/stateDictJson';
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
    assert.equal(item.description, 'custom-linear.ts · 45 params · 1 buffer · train');
    assert.equal(item.contextValue, 'module.train.root.code');
    assert.equal(item.badge, undefined);
    assert.equal(item.collapsible, 'expanded');
    assert.match(item.tooltip, /^CustomLinearLayer\(\)\nroot of \/w\/examples\/custom-linear.ts\n/);
  });

  it('the module a run is paused at carries the stack-frame marker', () => {
    const item = buildTreeItem(linear, { paused: true });
    assert.equal(item.description, '⏸ paused here · Linear · 24 params · eval');
    assert.deepEqual([item.icon, item.iconColor], ['debug-stackframe', 'debugIcon.pauseForeground']);
    assert.equal(buildTreeItem(linear, { paused: false }).icon, 'eye');
  });

  it('child module: label is the attribute name, description type · params · mode', () => {
    const item = buildTreeItem(linear, model);
    assert.equal(item.label, 'submodel_1');
    assert.equal(item.id, 'm1:submodel_1');
    assert.equal(item.description, 'Linear · 24 params · eval');
    assert.equal(item.contextValue, 'module.eval.code');
    assert.equal(buildTreeItem(linear).contextValue, 'module.eval', 'no model: nothing says it has source');
    assert.equal(buildTreeItem(linear, { ...model, file: '/w/cnn/model.json' }).contextValue, 'module.eval', 'a layers model has no source to go to');
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

  it('train and eval differ at a glance: icon, color and the mode word', () => {
    const train = buildTreeItem({ ...linear, training: true });
    const evalRow = buildTreeItem(linear);
    assert.notEqual(train.icon, evalRow.icon);
    assert.notEqual(train.iconColor, evalRow.iconColor);
    assert.match(train.description, / · train$/);
    assert.match(evalRow.description, / · eval$/);
  });

  it('a BatchNorm row counts its buffers', () => {
    const bn: ModuleNode = { ...linear, path: 'bn', name: 'bn', type: 'BatchNorm1d', totalParams: 6, ownParams: 6, numBuffers: 3, repr: 'BatchNorm1d(3, eps=1e-05)' };
    assert.equal(buildTreeItem(bn).description, 'BatchNorm1d · 6 params · 3 buffers · eval');
  });

  it('hooks badge their module row', () => {
    const one = buildTreeItem(linear, { model, hooks: [{ kind: 'forward', breakpoint: false }] });
    assert.equal(one.description, 'Linear · 24 params · eval · hook: forward');
    assert.equal(one.contextValue, 'module.eval.code.hooked');
    assert.deepEqual([one.badge?.text, one.badge?.color], ['F', 'charts.blue']);
    assert.match(one.tooltip, /\nhook: forward$/);
    const two = buildTreeItem(linear, { model, hooks: [{ kind: 'pre', breakpoint: true }, { kind: 'backward', breakpoint: false }] });
    assert.equal(two.description, 'Linear · 24 params · eval · hooks: pre ●, backward');
    assert.deepEqual([two.badge?.text, two.badge?.color], ['2', 'debugIcon.breakpointForeground']);
    assert.match(two.badge?.tooltip ?? '', /1 breakpoint/);
  });

  it('a root in a mixed train/eval state is flagged, with the modules that differ', () => {
    const mixed: ModelInfo = { ...model, modeMismatch: { count: 3, paths: ['bn', 'drop'] } };
    const item = buildTreeItem(root, mixed);
    assert.equal(item.description, '⚠ mixed train/eval · custom-linear.ts · 45 params · 1 buffer · train');
    assert.deepEqual([item.badge?.text, item.badge?.color], ['!', 'list.warningForeground']);
    assert.match(item.tooltip, /the model is in train mode, but 3 modules are in eval mode:\n  bn\n  drop\n  … and 1 more$/);
    assert.equal(item.badge?.tooltip, item.tooltip.slice(item.tooltip.indexOf('⚠')));
    assert.equal(buildTreeItem({ ...linear, path: 'bn' }, mixed).badge, undefined, 'only the root carries the warning');
  });

  it('tensor rows show value statistics after a run and gradient statistics after backward', () => {
    const stats: TensorStats = { min: -0.5, max: 0.5, mean: 0.0123456, std: 0.31, nan: 0, inf: 0, zeros: 0 };
    const grad: TensorStats = { min: 0, max: 3, mean: 3, std: 0.0000123, nan: 2, inf: 0, zeros: 0 };
    const ran = buildTreeItem({ ...weight, stats });
    assert.equal(ran.description, '[6, 3] float32 · μ 0.0123 σ 0.31');
    assert.match(ran.tooltip, /\nvalues: min -0\.5, max 0\.5, mean 0\.0123, std 0\.31, 0 NaN, 0 Inf, 0 zeros\ngrad: none/);
    const back = buildTreeItem({ ...weight, stats, grad });
    assert.equal(back.description, '[6, 3] float32 · μ 0.0123 σ 0.31 · ∇ μ 3 σ 1.23e-5 ⚠ 2 NaN');
    assert.equal(back.icon, 'warning', 'a non-finite gradient shows at a glance');
    assert.equal(buildTreeItem({ ...runningMean, stats: { ...stats, mean: null, std: null, nan: 4 } }).description, '[4] float32 · non-persistent · no finite values ⚠ 4 NaN');
  });

  it('numbers stay short', () => {
    assert.deepEqual([0, 1, -1.5, 0.0123456, 123.456, 0.00012, 123456, null].map(formatNumber), ['0', '1', '-1.5', '0.0123', '123', '1.2e-4', '1.23e+5', '–']);
  });

  it('a long list ends in a "Load more" row that names its parent', () => {
    const more: MoreNode = { kind: 'more', modelId: 'm1', path: 'features', shown: 500, total: 10_000 };
    const item = buildTreeItem(more);
    assert.deepEqual([item.label, item.description, item.contextValue, item.command?.command], ['Load 500 more…', '500 of 10k shown', 'more', 'moduleLens.loadMore']);
    assert.equal(item.id, 'm1:features#more');
    assert.equal(parentId(more), 'm1:features');
    assert.equal(buildTreeItem({ ...more, shown: 9_800 }).label, 'Load 200 more…');
    const groupMore: MoreNode = { ...more, group: 'parameters' };
    assert.equal(parentId(groupMore), 'm1:features#parameters');
    assert.notEqual(nodeId(groupMore), nodeId(more));
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

  it('.safetensors state dicts load in Restricted Mode: they hold no code', () => {
    assert.equal(isStateDictFile('/w/weights.safetensors'), true);
    assert.equal(stateDictRefusal('/w/weights.safetensors'), undefined);
    assert.match(stateDictRefusal('/w/weights.bin') ?? '', /weights\.bin is not a state dict/);
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

describe('Hooks view rows', () => {
  const hook: HookInfo = { hookId: 3, modelId: 'm1', path: 'submodel_2', kind: 'forward', breakpoint: false, enabled: true, hits: 1 };

  it('show kind, path, hits and the enabled checkbox', () => {
    const item = buildHookItem(hook);
    assert.deepEqual([item.id, item.label, item.description, item.contextValue, item.checked], ['hook:3', 'submodel_2', 'forward hook · 1 hit', 'hook.enabled', true]);
    assert.equal(buildHookItem({ ...hook, hits: 12 }).description, 'forward hook · 12 hits');
  });

  it('breakpoints, disabled and missing hooks, and the model when several are open', () => {
    const bp = buildHookItem({ ...hook, kind: 'pre', breakpoint: true, modelName: 'Net' }, true);
    assert.deepEqual([bp.description, bp.contextValue, bp.icon], ['forward pre-hook breakpoint · 1 hit · Net', 'hook.enabled.breakpoint', 'debug-breakpoint']);
    const off = buildHookItem({ ...hook, enabled: false });
    assert.deepEqual([off.description, off.contextValue, off.checked], ['forward hook · 1 hit · disabled', 'hook.disabled', false]);
    assert.match(off.tooltip, /detached from the module until re-enabled/);
    const gone = buildHookItem({ ...hook, kind: 'backward', missing: true });
    assert.equal(gone.description, 'backward hook · 1 hit · module missing');
    assert.equal(gone.contextValue, 'hook.enabled.missing');
    assert.equal(buildHookItem({ ...hook, path: '', modelName: 'CustomLinearLayer' }).label, 'CustomLinearLayer');
  });
});

describe('run inputs', () => {
  it('reads shapes the way people type them', () => {
    assert.deepEqual(parseShape('1, 3, 32, 32'), [1, 3, 32, 32]);
    assert.deepEqual(parseShape('[1, 10]'), [1, 10]);
    assert.deepEqual(parseShape('(2,8)'), [2, 8]);
    assert.deepEqual(parseShape('2x8'), [2, 8]);
    assert.deepEqual(parseShape(' 4 5 '), [4, 5]);
    assert.match(parseShape('') as string, /enter the dimensions/);
    assert.match(parseShape('1, -3') as string, /positive whole numbers/);
    assert.match(parseShape('1, 0') as string, /at least 1/);
    assert.match(parseShape('1,1,1,1,1,1,1,1,1') as string, /at most 8 dimensions/);
    assert.match(parseShape('100000, 100000') as string, /at most 67,108,864 elements/);
  });

  it('describes an input in a few words', () => {
    assert.equal(describeInput({ source: 'random', shape: [1, 7] }), 'a random input [1, 7]');
    assert.equal(describeInput({ source: 'file', file: '/w/x.npy' }), 'x.npy');
  });
});

describe('the state dict document', () => {
  const t = (path: string, shape: number[], dtype = 'float32') => ({ modelId: 'm1', path, name: path.split('.').pop()!, shape, dtype });
  const modules: ModuleListing[] = [
    { path: '', type: 'Net', training: true, parameters: [], buffers: [] },
    { path: 'fc', type: 'Linear', training: true, parameters: [{ ...t('fc.weight', [4, 8]), kind: 'parameter', requiresGrad: true }, { ...t('fc.bias', [4]), kind: 'parameter', requiresGrad: true }], buffers: [] },
    {
      path: 'bn', type: 'BatchNorm1d', training: true, parameters: [],
      buffers: [{ ...t('bn.running_mean', [4]), kind: 'buffer', persistent: true }, { ...t('bn.scratch', [4]), kind: 'buffer', persistent: false },
        { ...t('bn.num_batches_tracked', [], 'int32'), kind: 'buffer', persistent: true }],
    },
  ];

  it('lists the keys in PyTorch order, leaving non-persistent buffers out', () => {
    assert.deepEqual(stateDictEntries(modules).map((e) => e.key), ['fc.weight', 'fc.bias', 'bn.running_mean', 'bn.num_batches_tracked']);
  });

  it('is valid JSON with one key per line', () => {
    const text = stateDictDocument({ rootType: 'Net', file: '/w/net.ts' }, modules);
    const parsed = JSON.parse(text);
    assert.deepEqual([parsed.model, parsed.keys, parsed.elements], ['Net', 4, 32 + 4 + 4 + 1]);
    assert.deepEqual(parsed.state_dict['bn.num_batches_tracked'], { shape: [], dtype: 'int32', kind: 'buffer' });
    assert.match(text, /\n {4}"fc\.weight": \{ "shape": \[4,8\], "dtype": "float32", "kind": "parameter" \},\n/);
    assert.deepEqual(JSON.parse(stateDictDocument({ rootType: 'Empty', file: '/w/e.ts' }, [])).state_dict, {});
  });
});
