/**
 * Every bad input a user can hand Module Lens, through the real model server:
 * each case checks the one-line error names the file and the problem, and
 * that the server still serves the demo model with its hook afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AttachHookRequest, LoadStateDictRequest, OpenModelRequest, RunRequest, ServerErrorCodes, StopRequest, type RunStateParams,
} from '../../src/protocol';
import { errorOf, repo, startServer, type ServerProcess } from '../unit/serverProcess';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-reliability-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const demo = path.join(repo, 'examples', 'custom-linear.ts');
const cnnDir = path.join(repo, 'examples', 'cnn');
let counter = 0;

function write(name: string, data: string | Uint8Array): string {
  const sub = path.join(dir, `case${counter++}`);
  fs.mkdirSync(sub);
  const file = path.join(sub, name);
  fs.writeFileSync(file, data);
  return file;
}

/** The demo CNN's model.json with `edit` applied, next to a copy of its shard. */
function brokenModelJson(edit: (json: any, dir: string) => void, raw?: string): string {
  const sub = path.join(dir, `case${counter++}`);
  fs.mkdirSync(sub);
  fs.copyFileSync(path.join(cnnDir, 'group1-shard1of1.bin'), path.join(sub, 'group1-shard1of1.bin'));
  const json = JSON.parse(fs.readFileSync(path.join(cnnDir, 'model.json'), 'utf8'));
  edit(json, sub);
  const file = path.join(sub, 'model.json');
  fs.writeFileSync(file, raw ?? JSON.stringify(json));
  return file;
}

/** A safetensors file from a header object and a data length (or raw bytes). */
function safetensors(header: unknown, dataBytes: number, rawHeader?: Uint8Array, declaredLength?: bigint): string {
  const h = rawHeader ?? new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(h.length), true);
  out.set(h, 8);
  return write('weights.safetensors', out);
}

function modelFile(name: string, body: string): string {
  return write(name, `import { nn, tf } from 'module-lens';\n${body}\n`);
}

describe('bad inputs never take the server down', () => {
  let server: ServerProcess;
  let demoId: string;
  let hookId: number;

  before(async () => {
    server = await startServer({ backend: 'wasm', loadTimeoutMs: 3000, maxHeapMb: 256 });
    demoId = (await server.conn.sendRequest(OpenModelRequest, { file: demo })).modelId;
    hookId = (await server.conn.sendRequest(AttachHookRequest, { modelId: demoId, path: 'submodel_2', kind: 'forward' })).hookId;
  });
  after(() => server.dispose());

  /** The demo model still runs and its hook still fires. */
  async function stillServing(): Promise<void> {
    const result = await server.conn.sendRequest(RunRequest, { modelId: demoId, kind: 'forward' });
    assert.equal(result.state, 'finished', result.error);
    assert.ok(server.notifications.some(([m, p]) => m === 'moduleLens/capture' && p.runId === result.runId && p.hookId === hookId), 'the hook fired');
  }

  async function refused(request: Promise<unknown>, file: string, problem: RegExp, code: number = ServerErrorCodes.loadFailed): Promise<void> {
    const err = await errorOf(request);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.startsWith(`${file}: `), `names the file: ${err.message}`);
    assert.match(err.message, problem);
    assert.equal(err.message.includes('\n'), false, 'one line');
    await stillServing();
  }

  const openBad = (file: string, problem: RegExp) => refused(server.conn.sendRequest(OpenModelRequest, { file }), file, problem);

  describe('model.json', () => {
    it('invalid JSON', () => openBad(brokenModelJson(() => undefined, '{"modelTopology": '), /invalid JSON/));
    it('a truncated file', () => openBad(brokenModelJson(() => undefined, fs.readFileSync(path.join(cnnDir, 'model.json'), 'utf8').slice(0, 700)), /invalid JSON/));
    it('an unknown layer class', () => openBad(brokenModelJson((j) => { j.modelTopology.config.layers[1].class_name = 'NoSuchLayer'; }), /unknown layer class 'NoSuchLayer'/));
    it('a weight shape that does not match its bytes', () => openBad(brokenModelJson((j) => { j.weightsManifest[0].weights[0].shape = [3, 3, 3, 99]; }), /manifest's weights need \d+/));
    it('a missing shard', () => openBad(brokenModelJson((j) => { j.weightsManifest[0].paths = ['nowhere.bin']; }), /weight shard 'nowhere\.bin' is missing/));
    it('a shard shorter than the manifest says', () => openBad(brokenModelJson((_j, d) => {
      const f = path.join(d, 'group1-shard1of1.bin');
      fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100));
    }), /hold 100 bytes, but the manifest's weights need/));
    it('a .. weight path', () => openBad(brokenModelJson((j) => { j.weightsManifest[0].paths = ['../../secret.bin']; }), /leaves the model's folder/));
    it('an absolute weight path', () => openBad(brokenModelJson((j) => { j.weightsManifest[0].paths = ['/etc/hostname']; }), /is absolute/));
    it('a declared shape of 10^12 elements, refused before any allocation', () => openBad(brokenModelJson((j) => { j.weightsManifest[0].weights[0].shape = [1e6, 1e6]; }), /declares 1\.00e\+12 elements/));
    it('a 200 MB model.json is refused by a size limit, not read', async () => {
      const sub = path.join(dir, `case${counter++}`);
      fs.mkdirSync(sub);
      const file = path.join(sub, 'model.json');
      // Sparse: the file is 200 MB to stat() without costing the disk.
      fs.closeSync(fs.openSync(file, 'w'));
      fs.truncateSync(file, 200 * 1024 * 1024);
      const t0 = Date.now();
      await openBad(file, /model\.json is 200 MB, above the 64 MB limit/);
      assert.ok(Date.now() - t0 < 5000);
    });
  });

  describe('safetensors and npy', () => {
    const loadBad = (file: string, problem: RegExp) => refused(server.conn.sendRequest(LoadStateDictRequest, { modelId: demoId, file }), file, problem);
    const f32 = (shape: number[], offsets: [number, number]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    it('header length past the end of the file', () => loadBad(safetensors({}, 0, new Uint8Array(2), 1000n), /header/i));
    it('header length above 100 MB', () => loadBad(safetensors({}, 0, new Uint8Array(2), 200_000_000n), /100/));
    it('offsets out of range', () => loadBad(safetensors({ weight: f32([5, 10], [0, 400]) }, 8), /offset|range|bytes/i));
    it('overlapping offsets', () => loadBad(safetensors({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, 12), /overlap/i));
    it('an unknown dtype', () => loadBad(safetensors({ weight: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, 4), /dtype/i));
    it('a byte count that does not match the shape', () => loadBad(safetensors({ weight: f32([5, 10], [0, 16]) }, 16), /shape|bytes/i));
    it('a non-UTF-8 header', () => loadBad(safetensors(null, 0, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /UTF-8/i));
    it('duplicate keys', () => loadBad(safetensors(null, 4, new TextEncoder().encode('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')), /duplicate/i));
    it('a corrupt .npy as run input fails the run with one line naming the file', async () => {
      const file = write('x.npy', new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 255, 255]));
      const result = await server.conn.sendRequest(RunRequest, { modelId: demoId, kind: 'forward', input: { source: 'file', file } });
      assert.equal(result.state, 'failed');
      assert.ok(result.error?.startsWith(`${file}: `), result.error);
      await stillServing();
    });
  });

  describe('model code', () => {
    it('throws at import', () => openBad(modelFile('throws.ts', "throw new Error('broken at import');"), /failed to load: broken at import/));
    it('never returns from import: a time limit, then an error', async () => {
      const file = modelFile('hangs.ts', 'for (;;) { /* import never ends */ }\nexport default () => new nn.Linear(1, 1);');
      await openBad(file, /did not finish within 3 s/);
    });
    it('returns something that is not a model', () => openBad(modelFile('notModel.ts', 'export default () => 42;'), /expected an nn\.Module or a tf\.LayersModel/));
    it('forward throws: the error names the module path and the input shapes', async () => {
      const file = modelFile('forwardThrows.ts', `
class Bad extends nn.Module { override forward(x: tf.Tensor): tf.Tensor { return tf.matMul(x, tf.ones([7, 2])); } }
class Net extends nn.Module { declare inner: Bad; constructor() { super(); this.inner = new Bad(); } override forward(x: tf.Tensor) { return this.inner(x); } }
export default () => new Net();
export const input = () => tf.ones([2, 3]);`);
      const { modelId } = await server.conn.sendRequest(OpenModelRequest, { file });
      const result = await server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
      assert.equal(result.state, 'failed');
      assert.match(result.error!, /^forward of 'inner' \(Bad\) failed for input shapes \[2, 3\]: /);
      assert.equal(result.errorPath, 'inner');
      await stillServing();
    });
    it('forward never returns: Stop ends it within 1 s', async () => {
      const file = modelFile('spins.ts', `
class Spin extends nn.Module { override forward(x: tf.Tensor): tf.Tensor { for (;;) { /* never */ } } }
export default () => new Spin();
export const input = () => tf.ones([1]);`);
      const { modelId } = await server.conn.sendRequest(OpenModelRequest, { file });
      const run = server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
      await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'running' && p.modelId === modelId);
      const t0 = performance.now();
      await server.conn.sendRequest(StopRequest);
      assert.equal((await run).state, 'stopped');
      assert.ok(performance.now() - t0 < 1000);
      await stillServing();
    });
    it('allocates past memory: the worker dies, the server reports it and recovers', async () => {
      const file = modelFile('hog.ts', `
class Hog extends nn.Module { override forward(x: tf.Tensor): tf.Tensor { const k: number[][] = []; for (;;) k.push(new Array(1e6).fill(1)); } }
export default () => new Hog();
export const input = () => tf.ones([1]);`);
      const { modelId } = await server.conn.sendRequest(OpenModelRequest, { file });
      const result = await server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
      assert.equal(result.state, 'stopped');
      await server.waitFor('moduleLens/notice', (p) => /restarted/.test(p.message));
      await stillServing();
    });
    it('a hook in model code that throws fails the run naming the hook and the module', async () => {
      const file = modelFile('hookThrows.ts', `
const net = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
net.at(1).registerForwardHook(function explode() { throw new Error('hook failed'); });
export default net;
export const input = () => tf.ones([1, 2]);`);
      const { modelId } = await server.conn.sendRequest(OpenModelRequest, { file });
      const result = await server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
      assert.equal(result.state, 'failed');
      assert.match(result.error!, /^forward hook 'explode' \(id \d+\) on '1' \(ReLU\) threw: hook failed$/);
      await stillServing();
    });
  });

  describe('hook conditions', () => {
    const conditional = async (condition: string) => server.conn.sendRequest(AttachHookRequest, { modelId: demoId, path: 'submodel_1', kind: 'forward', breakpoint: true, condition });
    it('a condition that does not compile is reported on the breakpoint and never stops', async () => {
      const h = await conditional('output.shape[0] ==');
      assert.match(h.message ?? '', /^condition does not compile/);
      await stillServing();
      await server.conn.sendRequest('moduleLens/detachHook', { hookId: h.hookId });
    });
    it('a condition that throws is reported and does not stop', async () => {
      const h = await conditional('output.nope.x');
      await stillServing();
      assert.ok(server.notifications.some(([m, p]) => m === 'moduleLens/output' && p.hookId === h.hookId && p.category === 'stderr'));
      await server.conn.sendRequest('moduleLens/detachHook', { hookId: h.hookId });
    });
    it('a condition that never returns hits the time limit and does not stop', async () => {
      const h = await conditional('(() => { for (;;) {} })()');
      await stillServing();
      const out = server.notifications.find(([m, p]) => m === 'moduleLens/output' && p.hookId === h.hookId)?.[1];
      assert.match(out?.text ?? '', /timed out/);
      await server.conn.sendRequest('moduleLens/detachHook', { hookId: h.hookId });
    });
  });

  describe('protocol', () => {
    it('malformed messages get error replies', async () => {
      for (const [method, params] of [['moduleLens/run', { modelId: 5 }], ['moduleLens/attachHook', { modelId: demoId, path: '..', kind: 'forward' }], ['moduleLens/getTensor', null], ['moduleLens/openModel', 'x']] as const) {
        const err = await errorOf(server.conn.sendRequest(method, params));
        assert.equal(err.code, -32602, `${method}: ${err.message}`);
      }
      await stillServing();
    });
    it('an oversized message gets an error reply', async () => {
      const err = await errorOf(server.conn.sendRequest('moduleLens/evaluate', { expression: 'x'.repeat(100_000) }));
      assert.equal(err.code, -32602);
      await stillServing();
    });
    it('a second run request during a run is refused', async () => {
      const bp = await server.conn.sendRequest(AttachHookRequest, { modelId: demoId, path: 'submodel_3', kind: 'pre', breakpoint: true });
      const run = server.conn.sendRequest(RunRequest, { modelId: demoId, kind: 'forward' });
      await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'paused' && p.location.hookId === bp.hookId);
      const err = await errorOf(server.conn.sendRequest(RunRequest, { modelId: demoId, kind: 'forward' }));
      assert.equal(err.code, ServerErrorCodes.busy);
      await server.conn.sendRequest('moduleLens/detachHook', { hookId: bp.hookId });
      await server.conn.sendRequest('moduleLens/resume', { mode: 'continue' });
      assert.equal((await run).state, 'finished');
      await stillServing();
    });
  });
});
