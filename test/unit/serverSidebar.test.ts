/**
 * What the sidebar needs from the real model server over real IPC: tensor
 * statistics on parameter and buffer rows after a run (gradients after a
 * backward run), input shapes for models without `input()`, the mixed
 * train/eval report, the flat module listing and Export State Dict.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GetChildrenRequest, ListModelsRequest, ListModulesRequest, OpenModelRequest, RunRequest, SaveStateDictRequest, ServerErrorCodes,
  SetTrainingRequest, type ModelsChangedParams, type ParameterNode, type BufferNode,
} from '../../src/protocol';
import { tf } from '../../src';
import { readSafetensors } from '../../src/adapters/tensorFiles/safetensors';
import { errorOf, repo, startServer, type ServerProcess } from './serverProcess';

const examples = path.join(repo, 'examples');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-sidebar-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function modelFile(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `import { nn, tf } from 'module-lens';\n${body}\n`);
  return file;
}

/** No input() export: the server infers the input from the first Linear or Conv. */
const mlp = modelFile('mlp.ts', `
export default () => new nn.Sequential(new nn.Linear(7, 3), new nn.ReLU(), new nn.Linear(3, 2));
`);
const cnn = modelFile('cnn.ts', `
class Net extends nn.Module {
  declare body: nn.Sequential;
  constructor() { super(); this.body = new nn.Sequential(new nn.ReLU(), new nn.Conv2d(3, 4, 3)); }
  override forward(x: tf.Tensor): tf.Tensor { return this.body(x); }
}
export default () => new Net();
`);
const embedding = modelFile('embedding.ts', `
export default () => new nn.Sequential(new nn.Embedding(10, 4), new nn.Linear(4, 2));
`);

describe('the model server, for the sidebar', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ backend: 'wasm' });
  });
  after(() => server.dispose());

  const tensors = async (modelId: string, path: string, group: 'parameters' | 'buffers') =>
    (await server.conn.sendRequest(GetChildrenRequest, { modelId, path, group })).items as (ParameterNode | BufferNode)[];

  it('parameter rows carry value statistics after a run, and gradient statistics after a backward run', async () => {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(examples, 'custom-linear.ts') });
    const before = await tensors(modelId, '', 'parameters');
    assert.equal(before[0].stats, undefined, 'no statistics before the first run');

    const changed = () => server.notifications.filter(([m, p]) => m === 'moduleLens/modelsChanged' && (p as ModelsChangedParams).reason === 'statsChanged').length;
    const seen = changed();
    assert.equal((await conn.sendRequest(RunRequest, { modelId, kind: 'forward' })).state, 'finished');
    await server.waitFor('moduleLens/modelsChanged', (p: ModelsChangedParams) => p.reason === 'statsChanged' && p.modelId === modelId);
    assert.equal(changed(), seen + 1);
    const [weight, bias] = await tensors(modelId, '', 'parameters') as ParameterNode[];
    assert.deepEqual([weight.name, bias.name], ['weight', 'bias']);
    // CustomLinearLayer's own weight is zeros([5, 10]).
    assert.deepEqual(weight.stats, { min: 0, max: 0, mean: 0, std: 0, nan: 0, inf: 0, zeros: 50 });
    assert.equal(weight.grad, undefined, 'a forward run leaves no gradient');

    const fc = (await tensors(modelId, 'submodel_1', 'parameters')) as ParameterNode[];
    assert.ok(fc[0].stats && fc[0].stats.min! < fc[0].stats.max!, 'Linear weights are random');

    assert.equal((await conn.sendRequest(RunRequest, { modelId, kind: 'backward' })).state, 'finished');
    const after = (await tensors(modelId, 'submodel_3.1', 'parameters')) as ParameterNode[];
    assert.ok(after[0].grad, 'the weight has gradient statistics after backward');
    assert.equal(after[0].grad.nan, 0);
    assert.ok(after[0].grad.std! > 0);
    // The root's weight is zeros, so d(sum)/d(bias) of the last layer is 1 everywhere: batch 3 → 3.
    const lastBias = after[1];
    assert.deepEqual([lastBias.grad?.min, lastBias.grad?.max], [3, 3]);
  });

  it('buffer rows of a BatchNorm carry statistics; a running mean moves in train mode', async () => {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(examples, 'batchnorm-dropout.ts') });
    const names = (await tensors(modelId, 'bn', 'buffers')).map((b) => `${b.name} ${b.shape.join('x')} ${b.dtype}`);
    assert.deepEqual(names, ['running_mean 16 float32', 'running_var 16 float32', 'num_batches_tracked  int32']);
    await conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const [mean, , tracked] = await tensors(modelId, 'bn', 'buffers');
    assert.ok(mean.stats && mean.stats.zeros < 16, 'the running mean moved');
    assert.deepEqual([tracked.stats?.min, tracked.stats?.max], [1, 1]);
  });

  it('reports the modules whose train/eval mode differs from the root', async () => {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(examples, 'batchnorm-dropout.ts') });
    const info = async () => (await conn.sendRequest(ListModelsRequest)).models.find((m) => m.modelId === modelId)!;
    assert.equal((await info()).modeMismatch, undefined);
    await conn.sendRequest(SetTrainingRequest, { modelId, path: 'bn', mode: false, recursive: true });
    await conn.sendRequest(SetTrainingRequest, { modelId, path: 'drop', mode: false, recursive: true });
    assert.deepEqual((await info()).modeMismatch, { count: 2, paths: ['bn', 'drop'] });
    await conn.sendRequest(SetTrainingRequest, { modelId, path: '', mode: false, recursive: true });
    assert.equal((await info()).modeMismatch, undefined);
    await conn.sendRequest(SetTrainingRequest, { modelId, path: '', mode: true, recursive: true });
  });

  it('says what a run can use as input', async () => {
    const { conn } = server;
    const open = async (file: string) => (await conn.sendRequest(OpenModelRequest, { file })).input;
    assert.deepEqual(await open(path.join(examples, 'custom-linear.ts')), { exported: true, shapes: [] });
    assert.deepEqual(await open(mlp), { exported: false, shapes: [[1, 7]], basis: '0: Linear(in_features=7, out_features=3, bias=True)' });
    const conv = await open(cnn);
    assert.deepEqual(conv?.shapes, [[1, 3, 32, 32]]);
    assert.match(conv!.basis!, /^body\.1: Conv2d\(3, 4, kernel_size=\(3, 3\)/);
    assert.deepEqual(await open(embedding), { exported: false, shapes: [] });
    const layers = await open(path.join(examples, 'cnn', 'model.json'));
    assert.equal(layers?.exported, false);
    assert.equal(layers?.shapes.length, 1);
    assert.equal(layers?.shapes[0][0], 1, 'a batch of one');
  });

  it('lists every module flat, with tensors when asked', async () => {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(examples, 'custom-linear.ts') });
    const { modules } = await conn.sendRequest(ListModulesRequest, { modelId });
    assert.deepEqual(modules.map((m) => `${m.path}:${m.type}`),
      [':CustomLinearLayer', 'submodel_1:Linear', 'submodel_2:Linear', 'submodel_3:Sequential', 'submodel_3.0:Linear', 'submodel_3.1:Linear']);
    assert.equal(modules[0].parameters, undefined);
    const full = await conn.sendRequest(ListModulesRequest, { modelId, tensors: true });
    assert.deepEqual(full.modules.flatMap((m) => m.parameters!.map((p) => p.path)),
      ['weight', 'bias', 'submodel_1.weight', 'submodel_1.bias', 'submodel_2.weight', 'submodel_2.bias',
        'submodel_3.0.weight', 'submodel_3.0.bias', 'submodel_3.1.weight', 'submodel_3.1.bias']);
    assert.equal((await errorOf(conn.sendRequest(ListModulesRequest, { modelId: 'nope' }))).code, ServerErrorCodes.modelNotFound);
  });

  it('exports the state dict to .safetensors', async () => {
    const { conn } = server;
    const { modelId } = await conn.sendRequest(OpenModelRequest, { file: path.join(examples, 'batchnorm-dropout.ts') });
    const file = path.join(dir, 'bn.safetensors');
    const result = await conn.sendRequest(SaveStateDictRequest, { modelId, file });
    assert.equal(result.tensors, 9);
    assert.equal(result.bytes, fs.statSync(file).size);
    const { tensors: read } = readSafetensors(file);
    assert.deepEqual([...read.keys()].sort(), ['bn.bias', 'bn.num_batches_tracked', 'bn.running_mean', 'bn.running_var', 'bn.weight',
      'fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    assert.deepEqual(read.get('fc1.weight')!.shape, [16, 8]);
    tf.dispose([...read.values()]);
    const bad = await errorOf(conn.sendRequest(SaveStateDictRequest, { modelId, file: 'relative.safetensors' }));
    assert.equal(bad.code, -32602);
  });
});
