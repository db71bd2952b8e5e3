// The model server as a real child process over real Node IPC, the way the
// extension's language client runs it: no mocks. Runs against the webpack
// bundle (copied alone into a temp folder, proving it needs no node_modules)
// and against the tsc output, so it also runs before `npm run bundle`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  CloseModelRequest, GetChildrenRequest, ListModelsRequest, Methods, ModelsChangedNotification, OpenModelRequest,
  ServerErrorCodes, ServerInfoRequest, SetTrainingRequest,
  type GetChildrenParams, type ModelsChangedParams, type ModuleNode, type NodeInfo,
} from '../../src/protocol';

const repo = path.resolve(__dirname, '..', '..', '..');
const demo = path.join(repo, 'examples', 'custom-linear.ts');
const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;

/** Copies the bundle's files into an empty temp folder, as an installed .vsix lays them out. */
function isolatedBundle(): string | undefined {
  const dist = path.join(repo, 'dist');
  if (!fs.existsSync(path.join(dist, 'server.js'))) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-server-'));
  for (const f of fs.readdirSync(dist)) if (/\.(js|wasm)$/.test(f)) fs.copyFileSync(path.join(dist, f), path.join(dir, f));
  return dir;
}

interface Target { readonly name: string; readonly entry: string; readonly cleanup?: () => void }

function targets(): Target[] {
  const list: Target[] = [{ name: 'compiled sources (out/src/server/server.js)', entry: path.join(repo, 'out', 'src', 'server', 'server.js') }];
  const dir = isolatedBundle();
  if (dir) list.unshift({ name: 'bundle (dist/server.js, copied without node_modules)', entry: path.join(dir, 'server.js'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) });
  else console.log('# dist/server.js not built: run `npm run bundle` to test the bundle too');
  return list;
}

/** The error a request was answered with. */
async function errorOf(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ResponseError, `expected an error reply, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error reply, got a result');
}

function waitFor<T>(list: T[], pred: (t: T) => boolean, what: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const hit = list.find(pred);
      if (hit) resolve(hit);
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

for (const target of targets()) {
  describe(`model server over IPC: ${target.name}`, { timeout: 120_000 }, () => {
    let child: ChildProcess;
    let conn: MessageConnection;
    let stderr = '';
    const changes: ModelsChangedParams[] = [];
    let modelId = '';

    const children = async (p: Omit<GetChildrenParams, 'modelId'>): Promise<NodeInfo[]> =>
      (await conn.sendRequest(GetChildrenRequest, { modelId, ...p })).items as NodeInfo[];
    const byName = (nodes: NodeInfo[]) => new Map(nodes.filter((n): n is ModuleNode => n.kind === 'module').map((n) => [n.name, n]));

    before(async () => {
      // The language client starts the server exactly like this: node <module> --node-ipc.
      child = fork(target.entry, ['--node-ipc'], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      child.stderr?.on('data', (d) => { stderr += String(d); });
      conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
      conn.onNotification(ModelsChangedNotification, (p) => changes.push(p));
      conn.listen();
      const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { backend: 'auto' } });
      assert.ok(init && typeof init === 'object' && 'capabilities' in init);
      await conn.sendNotification('initialized', {});
    });

    after(async () => {
      conn?.dispose();
      if (child && child.exitCode === null) child.kill();
      target.cleanup?.();
    });

    it('runs in its own process and reports its backend', async () => {
      const info = await conn.sendRequest(ServerInfoRequest);
      assert.equal(info.pid, child.pid);
      assert.notEqual(info.pid, process.pid);
      assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend), info.backend);
      if (target.cleanup) {
        // Alone in a temp folder tfjs-node cannot be found, and wasm must work from the copied binaries.
        assert.equal(info.backend, 'wasm', `notes: ${info.notes.join(' | ')}`);
        assert.match(info.notes.join('\n'), /tensorflow/);
      }
    });

    it('opens the demo model', async () => {
      const model = await conn.sendRequest(OpenModelRequest, { file: demo });
      modelId = model.modelId;
      assert.equal(model.file, demo);
      assert.equal(model.rootType, 'CustomLinearLayer');
      // Class names survive minification: the repr is built from them.
      assert.match(model.repr, /^CustomLinearLayer\(\n {2}\(submodel_1\): Linear\(in_features=5, out_features=4, bias=True\)\n/);
      assert.match(model.repr, /\(submodel_3\): Sequential\(\n {4}\(0\): Linear\(in_features=2, out_features=3, bias=True\)/);
      assert.deepEqual(
        { ...model.root },
        {
          kind: 'module', modelId, path: '', name: '', type: 'CustomLinearLayer', training: true,
          ownParams: 5 * 10 + 5, totalParams: 55 + 24 + 10 + 9 + 20, numBuffers: 0, numParams: 2, childCount: 3, repr: 'CustomLinearLayer()',
        },
      );
      await waitFor(changes, (c) => c.reason === 'opened' && c.modelId === modelId, 'modelsChanged opened');
      assert.deepEqual((await conn.sendRequest(ListModelsRequest)).models.map((m) => m.modelId), [modelId]);
    });

    it('lists the root\'s child modules with types and counts, then its parameter group', async () => {
      const items = await children({ path: '' });
      assert.deepEqual(items[items.length - 1], { kind: 'group', modelId, path: '', group: 'parameters', count: 2 });
      const mods = byName(items);
      assert.deepEqual([...mods.keys()], ['submodel_1', 'submodel_2', 'submodel_3']);
      assert.deepEqual([...mods.values()].map((m) => [m.path, m.type, m.totalParams, m.ownParams, m.childCount]), [
        ['submodel_1', 'Linear', 24, 24, 0],
        ['submodel_2', 'Linear', 10, 10, 0],
        ['submodel_3', 'Sequential', 29, 0, 2],
      ]);
      assert.equal(mods.get('submodel_1')?.repr, 'Linear(in_features=5, out_features=4, bias=True)');
    });

    it('lists nested modules by dotted path, and tensors by group', async () => {
      const seq = byName(await children({ path: 'submodel_3' }));
      assert.deepEqual([...seq.values()].map((m) => [m.path, m.name, m.type, m.totalParams]), [['submodel_3.0', '0', 'Linear', 9], ['submodel_3.1', '1', 'Linear', 20]]);
      assert.deepEqual(await children({ path: '', group: 'parameters' }), [
        { kind: 'parameter', modelId, path: 'weight', name: 'weight', shape: [5, 10], dtype: 'float32', requiresGrad: true },
        { kind: 'parameter', modelId, path: 'bias', name: 'bias', shape: [5], dtype: 'float32', requiresGrad: true },
      ]);
      const leaf = await children({ path: 'submodel_3.1', group: 'parameters' });
      assert.deepEqual(leaf.map((n) => n.path), ['submodel_3.1.weight', 'submodel_3.1.bias']);
      assert.deepEqual(await children({ path: 'submodel_3.1', group: 'buffers' }), []);
    });

    it('pages through children', async () => {
      const page = await conn.sendRequest(GetChildrenRequest, { modelId, path: '', offset: 1, limit: 2 });
      assert.equal(page.total, 4);
      assert.deepEqual(page.items.map((n) => n.kind === 'module' ? n.name : n.kind), ['submodel_2', 'submodel_3']);
      const past = await conn.sendRequest(GetChildrenRequest, { modelId, path: '', offset: 10 });
      assert.deepEqual([past.items.length, past.total], [0, 4]);
    });

    it('switches train/eval mode, recursively or not', async () => {
      changes.length = 0;
      assert.deepEqual(await conn.sendRequest(SetTrainingRequest, { modelId, path: 'submodel_3', mode: false, recursive: true }), { changed: 3 });
      await waitFor(changes, (c) => c.reason === 'trainingChanged' && c.path === 'submodel_3', 'modelsChanged trainingChanged');
      const root = byName(await children({ path: '' }));
      assert.deepEqual([...root.values()].map((m) => m.training), [true, true, false]);
      assert.ok([...byName(await children({ path: 'submodel_3' })).values()].every((m) => !m.training));
      assert.deepEqual(await conn.sendRequest(SetTrainingRequest, { modelId, path: '', mode: false, recursive: false }), { changed: 1 });
      assert.equal((await conn.sendRequest(ListModelsRequest)).models[0].root.training, false);
      assert.equal(byName(await children({ path: '' })).get('submodel_1')?.training, true, 'non-recursive leaves children alone');
      assert.deepEqual(await conn.sendRequest(SetTrainingRequest, { modelId, path: '', mode: true, recursive: true }), { changed: 4 });
    });

    it('answers malformed and unknown requests with errors and stays up', async () => {
      const bad = await errorOf(conn.sendRequest(GetChildrenRequest, { modelId: 42, path: '' } as unknown as GetChildrenParams));
      assert.equal(bad.code, INVALID_PARAMS);
      assert.match(bad.message, /^getChildren: "modelId" must be a string, got number$/);
      assert.equal((await errorOf(conn.sendRequest(OpenModelRequest, { file: 'examples/custom-linear.ts' }))).code, INVALID_PARAMS);
      assert.equal((await errorOf(conn.sendRequest(Methods.getChildren, ['m1', '']))).code, INVALID_PARAMS);
      assert.equal((await errorOf(conn.sendRequest(Methods.setTraining, null))).code, INVALID_PARAMS);
      assert.equal((await errorOf(conn.sendRequest(GetChildrenRequest, { modelId, path: '', limit: 1e6 }))).code, INVALID_PARAMS);
      assert.equal((await errorOf(conn.sendRequest('moduleLens/noSuchMethod', {}))).code, METHOD_NOT_FOUND);

      const noModel = await errorOf(conn.sendRequest(GetChildrenRequest, { modelId: 'm999', path: '' }));
      assert.deepEqual([noModel.code, noModel.message], [ServerErrorCodes.modelNotFound, 'no open model "m999"']);
      const noModule = await errorOf(conn.sendRequest(GetChildrenRequest, { modelId, path: 'submodel_3.7' }));
      assert.deepEqual([noModule.code, noModule.message], [ServerErrorCodes.moduleNotFound, `model ${modelId} has no module "submodel_3.7"`]);
      const missing = path.join(os.tmpdir(), 'no-such-model.ts');
      const notLoaded = await errorOf(conn.sendRequest(OpenModelRequest, { file: missing }));
      assert.equal(notLoaded.code, ServerErrorCodes.loadFailed);
      assert.ok(notLoaded.message.startsWith(`${missing}: `) && !notLoaded.message.includes('\n'), notLoaded.message);

      // A raw message that no typed client would send: params of the wrong JSON type.
      const reply = new Promise<{ id?: unknown; error?: { code: number } }>((resolve) => {
        const onMessage = (m: { id?: unknown; error?: { code: number } }) => {
          if (m?.id === 'raw-1') { child.off('message', onMessage); resolve(m); }
        };
        child.on('message', onMessage);
      });
      child.send({ jsonrpc: '2.0', id: 'raw-1', method: Methods.getChildren, params: 'garbage' });
      assert.equal((await reply).error?.code, INVALID_PARAMS);

      assert.equal(child.exitCode, null, `server exited; stderr: ${stderr}`);
      assert.equal((await conn.sendRequest(ServerInfoRequest)).pid, child.pid);
      assert.equal(byName(await children({ path: '' })).size, 3, 'the model is still there');
    });

    it('reopening a file reloads it under the same id', async () => {
      changes.length = 0;
      const again = await conn.sendRequest(OpenModelRequest, { file: demo });
      assert.equal(again.modelId, modelId);
      await waitFor(changes, (c) => c.reason === 'reloaded', 'modelsChanged reloaded');
      assert.equal((await conn.sendRequest(ListModelsRequest)).models.length, 1);
    });

    it('holds several models side by side: buffers of a BatchNorm, and a layers model.json', async () => {
      const bnNet = await conn.sendRequest(OpenModelRequest, { file: path.join(repo, 'examples', 'batchnorm-dropout.ts') });
      const cnn = await conn.sendRequest(OpenModelRequest, { file: path.join(repo, 'examples', 'cnn', 'model.json') });
      assert.equal(new Set([modelId, bnNet.modelId, cnn.modelId]).size, 3);
      const bn = (await conn.sendRequest(GetChildrenRequest, { modelId: bnNet.modelId, path: '' })).items.find((n) => n.path === 'bn');
      assert.ok(bn?.kind === 'module' && bn.type === 'BatchNorm1d' && bn.numBuffers === 3, JSON.stringify(bn));
      const buffers = await conn.sendRequest(GetChildrenRequest, { modelId: bnNet.modelId, path: 'bn', group: 'buffers' });
      assert.deepEqual(buffers.items.map((n) => n.kind === 'buffer' && [n.path, n.shape, n.dtype, n.persistent]), [
        ['bn.running_mean', [16], 'float32', true], ['bn.running_var', [16], 'float32', true], ['bn.num_batches_tracked', [], 'int32', true],
      ]);
      // model.json is data, not code: the one kind of model Restricted Mode allows.
      assert.ok(cnn.root.childCount > 0 && cnn.root.totalParams > 0, JSON.stringify(cnn.root));
      assert.equal((await conn.sendRequest(GetChildrenRequest, { modelId: cnn.modelId, path: '' })).total, cnn.root.childCount);
      for (const m of [bnNet, cnn]) assert.deepEqual(await conn.sendRequest(CloseModelRequest, { modelId: m.modelId }), { closed: true });
    });

    it('closes a model, then shuts down cleanly', async () => {
      assert.deepEqual(await conn.sendRequest(CloseModelRequest, { modelId }), { closed: true });
      assert.deepEqual(await conn.sendRequest(CloseModelRequest, { modelId }), { closed: false });
      assert.equal((await errorOf(conn.sendRequest(GetChildrenRequest, { modelId, path: '' }))).code, ServerErrorCodes.modelNotFound);
      assert.deepEqual((await conn.sendRequest(ListModelsRequest)).models, []);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      assert.equal(await exited, 0);
    });
  });
}
