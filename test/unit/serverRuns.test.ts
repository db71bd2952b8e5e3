/**
 * Runs through the real model server over real IPC: hooks, captures, forward
 * and backward, a breakpoint pause with inspection, stopping a runaway run,
 * a worker that runs out of memory, a server that is SIGKILLed, and backends.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AttachHookRequest, ClearCapturesRequest, GetChildrenRequest, GetTensorRequest, ListHooksRequest, ListModelsRequest, LoadStateDictRequest,
  EvaluateRequest, MemoryRequest, OpenModelRequest, PauseRequest, ReleaseTensorsRequest, ResumeRequest, RunRequest, ServerErrorCodes, ServerInfoRequest, StopRequest,
  type CaptureEvent, type RunStateParams,
} from '../../src/protocol';
import { SessionState } from '../../src/extension/sessionState';
import { tf } from '../../src';
import { writeSafetensors } from '../../src/adapters/tensorFiles/safetensors';
import { CustomLinearLayer } from '../../examples/custom-linear';
import { errorOf, repo, startServer, type ServerProcess } from './serverProcess';

const demo = path.join(repo, 'examples', 'custom-linear.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-runs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function modelFile(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `import { nn, tf } from 'module-lens';\n${body}\n`);
  return file;
}

/** A model whose forward never returns once `spin` is true. */
const runaway = modelFile('runaway.ts', `
class Spin extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor { for (;;) { /* never returns */ } }
}
class Net extends nn.Module {
  declare fc: nn.Linear; declare spin: Spin;
  constructor() { super(); this.fc = new nn.Linear(2, 2); this.spin = new Spin(); }
  override forward(x: tf.Tensor): tf.Tensor { return this.spin(this.fc(x)); }
}
export default () => new Net();
export const input = () => tf.ones([1, 2]);
`);

/** A model whose forward allocates JS memory until the worker dies. */
const hog = modelFile('hog.ts', `
class Hog extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor {
    const keep: number[][] = [];
    for (;;) keep.push(new Array(1e6).fill(Math.random()));
  }
}
export default () => new Hog();
export const input = () => tf.ones([1]);
`);

/** Deterministic weights and input, for comparing backends. */
const fixed = modelFile('fixed.ts', `
export default () => { nn.manualSeed(7); return new nn.Sequential(new nn.Linear(8, 16), new nn.GELU(), new nn.Linear(16, 4), new nn.Softmax({ dim: -1 })); };
export const input = () => tf.linspace(-2, 2, 24).reshape([3, 8]);
`);

describe('runs through the model server', () => {
  let server: ServerProcess;
  let modelId: string;
  before(async () => {
    server = await startServer({ backend: 'wasm', maxHeapMb: 256 });
    modelId = (await server.conn.sendRequest(OpenModelRequest, { file: demo })).modelId;
  });
  after(() => server.dispose());

  it('captures forward and backward hook events with PyTorch slot names', async () => {
    const { conn } = server;
    const fwd = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_2', kind: 'forward' });
    const bwd = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_1', kind: 'backward' });
    const pre = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_3.0', kind: 'pre' });
    const result = await conn.sendRequest(RunRequest, { modelId, kind: 'backward' });
    assert.equal(result.state, 'finished', result.error);
    assert.deepEqual(result.output?.shape, [3, 5]);
    assert.equal(typeof result.loss, 'number');
    const events = server.notifications.filter(([m, p]) => m === 'moduleLens/capture' && p.runId === result.runId).map(([, p]) => p as CaptureEvent);
    assert.deepEqual(events.map((e) => [e.seq, e.path, e.kind]), [[1, 'submodel_2', 'forward'], [2, 'submodel_3.0', 'pre'], [3, 'submodel_1', 'backward']]);
    assert.deepEqual(events[0].tensors.map((t) => [t.slot, t.summary?.shape]), [['args[0]', [3, 4]], ['output', [3, 2]]]);
    assert.deepEqual(events[2].tensors.map((t) => [t.slot, t.summary?.shape]), [['gradInput[0]', [3, 5]], ['gradOutput[0]', [3, 4]]]);
    // Small tensors come with their values; the sum of outputs' gradient is all ones at the root's output.
    assert.equal(events[0].tensors[1].summary?.values?.length, 6);
    const hooks = (await conn.sendRequest(ListHooksRequest)).hooks;
    assert.deepEqual(hooks.map((h) => [h.hookId, h.hits]), [[fwd.hookId, 1], [bwd.hookId, 1], [pre.hookId, 1]]);
    const states = server.notifications.filter(([m, p]) => m === 'moduleLens/runState' && p.runId === result.runId).map(([, p]) => p.state);
    assert.deepEqual(states, ['running', 'finished']);
  });

  it('serves tensor values by range, for captures and parameters', async () => {
    const { conn } = server;
    const event = server.notifications.filter(([m]) => m === 'moduleLens/capture').map(([, p]) => p as CaptureEvent)[0];
    const out = event.tensors[1];
    const page = await conn.sendRequest(GetTensorRequest, { tensorId: out.tensorId!, start: 2, end: 5 });
    assert.deepEqual(page.values, out.summary!.values!.slice(2, 5));
    const weight = await conn.sendRequest(GetTensorRequest, { modelId, name: 'submodel_1.weight', start: 0, end: 20 });
    assert.deepEqual(weight.summary.shape, [4, 5]);
    assert.equal(weight.values.length, 20);
    const gone = await errorOf(conn.sendRequest(GetTensorRequest, { tensorId: 't999999' }));
    assert.equal(gone.code, ServerErrorCodes.tensorNotFound);
  });

  it('releases the captured tensors a client evicts', async () => {
    const { conn } = server;
    const before = await conn.sendRequest(MemoryRequest);
    const ids = server.notifications.filter(([m]) => m === 'moduleLens/capture').flatMap(([, p]) => (p as CaptureEvent).tensors.map((t) => t.tensorId)).filter((id): id is string => id !== null);
    assert.ok(ids.length > 0);
    const { released } = await conn.sendRequest(ReleaseTensorsRequest, { tensorIds: ids });
    const after = await conn.sendRequest(MemoryRequest);
    assert.equal(after.capturedTensors, before.capturedTensors - released);
    assert.equal(after.numTensors, before.numTensors - released);
    assert.equal((await errorOf(conn.sendRequest(GetTensorRequest, { tensorId: ids[0] }))).code, ServerErrorCodes.tensorNotFound);
  });

  it('pauses at a hook breakpoint; the server answers while paused; continue finishes the run', async () => {
    const { conn } = server;
    const bp = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_3.1', kind: 'forward', breakpoint: true });
    const run = conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const paused = (await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'paused')) as Extract<RunStateParams, { state: 'paused' }>;
    assert.equal(paused.location.path, 'submodel_3.1');
    assert.deepEqual(paused.location.stack.map((f) => f.path), ['', 'submodel_3', 'submodel_3.1']);
    assert.deepEqual(paused.location.event?.tensors.map((t) => [t.slot, t.summary?.shape]), [['args[0]', [3, 3]], ['output', [3, 5]]]);
    // The main thread answers from its own state while the worker is held.
    const t0 = performance.now();
    assert.equal((await conn.sendRequest(GetChildrenRequest, { modelId, path: 'submodel_3' })).total, 2);
    assert.equal((await conn.sendRequest(ListModelsRequest)).models.length, 1);
    assert.ok(performance.now() - t0 < 500);
    // The paused worker answers inspection synchronously.
    const output = paused.location.event!.tensors[1];
    const values = await conn.sendRequest(GetTensorRequest, { tensorId: output.tensorId! });
    assert.equal(values.values.length, 15);
    assert.ok((await conn.sendRequest(MemoryRequest)).numTensors > 0);
    // A second run is refused, not queued.
    const second = await errorOf(conn.sendRequest(RunRequest, { modelId, kind: 'forward' }));
    assert.equal(second.code, ServerErrorCodes.busy);
    assert.match(second.message, /^cannot start another run while run \d+ of CustomLinearLayer is active; stop it first$/);
    assert.deepEqual(await conn.sendRequest(ResumeRequest, { mode: 'continue' }), { resumed: true });
    assert.equal((await run).state, 'finished');
    await conn.sendRequest('moduleLens/detachHook', { hookId: bp.hookId });
  });

  it('stop while paused unwinds the run and releases its tensors', async () => {
    const { conn } = server;
    await conn.sendRequest(ClearCapturesRequest);
    const baseline = (await conn.sendRequest(MemoryRequest)).numTensors;
    const bp = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_2', kind: 'pre', breakpoint: true });
    const run = conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const runId = (await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'paused' && p.location.hookId === bp.hookId)).runId;
    assert.deepEqual(await conn.sendRequest(StopRequest), { stopped: true });
    const result = await run;
    assert.deepEqual([result.runId, result.state], [runId, 'stopped']);
    await conn.sendRequest('moduleLens/detachHook', { hookId: bp.hookId });
    await conn.sendRequest(ClearCapturesRequest);
    assert.equal((await conn.sendRequest(MemoryRequest)).numTensors, baseline, 'no tensor left behind');
  });

  it('stops a forward that never returns within 1 s, and keeps models and hooks', async () => {
    const { conn } = server;
    const spin = await conn.sendRequest(OpenModelRequest, { file: runaway });
    // A conditional breakpoint that never holds: if the restart dropped its condition, the run below would pause.
    const quiet = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_2', kind: 'forward', breakpoint: true, condition: 'output.hasNaN' });
    const hitsBefore = (await conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits, h.condition]);
    const hooksBefore = hitsBefore.map(([id]) => id);
    const run = conn.sendRequest(RunRequest, { modelId: spin.modelId, kind: 'forward' });
    await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'running' && p.modelId === spin.modelId);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const stopped = conn.sendRequest(StopRequest);
    const result = await run;
    const elapsed = performance.now() - t0;
    assert.equal(result.state, 'stopped');
    assert.ok(elapsed < 1000, `stopped after ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(await stopped, { stopped: true });
    // The engine was replaced; the same models and hooks are back under the same ids.
    assert.deepEqual((await conn.sendRequest(ListModelsRequest)).models.map((m) => m.modelId), [modelId, spin.modelId]);
    assert.deepEqual((await conn.sendRequest(ListHooksRequest)).hooks.map((h) => h.hookId), hooksBefore);
    // Hit counts and conditions came back with them.
    assert.deepEqual((await conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits, h.condition]), hitsBefore);
    const again = await conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    assert.equal(again.state, 'finished');
    const fired = server.notifications.filter(([m, p]) => m === 'moduleLens/capture' && p.runId === again.runId).map(([, p]) => (p as CaptureEvent).hookId);
    assert.ok(fired.length >= 2, 'restored hooks fire');
    // The worker counts on from the restored hits, not from 0.
    const after = new Map((await conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits]));
    for (const [id, hits] of hitsBefore) assert.equal(after.get(id as number), (hits as number) + fired.filter((f) => f === id).length, `hits of hook ${id}`);
    await conn.sendRequest('moduleLens/detachHook', { hookId: quiet.hookId });
    await conn.sendRequest('moduleLens/closeModel', { modelId: spin.modelId });
  });

  it('loads a .safetensors state dict into an open model, strictly', async () => {
    const { conn } = server;
    const weights = path.join(dir, 'weights.safetensors');
    const zeros = new Map<string, tf.Tensor>([...new CustomLinearLayer(10, 5).stateDict()].map(([k, v]) => [k, tf.fill(v.shape, 0.5)]));
    writeSafetensors(weights, zeros);
    assert.deepEqual(await conn.sendRequest(LoadStateDictRequest, { modelId, file: weights }), { missingKeys: [], unexpectedKeys: [] });
    const w = await conn.sendRequest(GetTensorRequest, { modelId, name: 'submodel_3.1.weight' });
    assert.deepEqual([...new Set(w.values)], [0.5]);
    zeros.delete('bias');
    writeSafetensors(weights, zeros);
    const err = await errorOf(conn.sendRequest(LoadStateDictRequest, { modelId, file: weights }));
    assert.equal(err.code, ServerErrorCodes.loadFailed);
    assert.equal(err.message, `${weights}: Error(s) in loading state_dict for CustomLinearLayer: Missing key(s) in state_dict: "bias".`);
    assert.deepEqual(await conn.sendRequest(LoadStateDictRequest, { modelId, file: weights, strict: false }), { missingKeys: ['bias'], unexpectedKeys: [] });
    tf.dispose([...zeros.values()]);
  });

  it('a worker that runs out of memory is reported and replaced', async () => {
    const { conn } = server;
    const big = await conn.sendRequest(OpenModelRequest, { file: hog });
    const result = await conn.sendRequest(RunRequest, { modelId: big.modelId, kind: 'forward' });
    assert.equal(result.state, 'stopped');
    assert.match(result.error ?? '', /interrupted/);
    const notice = await server.waitFor('moduleLens/notice', (p) => /restarted/.test(p.message));
    assert.match(notice.message, /model\(s\) and \d+ hook\(s\) were restored/);
    assert.equal((await conn.sendRequest(RunRequest, { modelId, kind: 'forward' })).state, 'finished');
    assert.equal(server.child.exitCode, null, 'the server process is still up');
  });
});

describe('the client restores its session after the server is SIGKILLed', () => {
  it('reopens models and reattaches hooks on a new server under the same ids', async () => {
    const session = new SessionState();
    const first = await startServer({ backend: 'wasm' });
    const info = await first.conn.sendRequest(OpenModelRequest, { file: demo });
    session.opened(info);
    session.hookAttached(await first.conn.sendRequest(AttachHookRequest, { modelId: info.modelId, path: 'submodel_2', kind: 'forward' }));
    session.hookAttached(await first.conn.sendRequest(AttachHookRequest, { modelId: info.modelId, path: 'submodel_3.0', kind: 'pre', breakpoint: true }));
    process.kill(first.child.pid!, 'SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await first.dispose();

    const second = await startServer({ backend: 'wasm' });
    try {
      const report = await session.restore((type, params) => second.conn.sendRequest(type.method, params));
      assert.deepEqual(report, { models: 1, hooks: 2, failures: [] });
      const hooks = (await second.conn.sendRequest(ListHooksRequest)).hooks;
      assert.deepEqual(hooks.map((h) => [h.modelId, h.path, h.kind, h.breakpoint]), [[info.modelId, 'submodel_2', 'forward', false], [info.modelId, 'submodel_3.0', 'pre', true]]);
      assert.deepEqual((await second.conn.sendRequest(ListModelsRequest)).models.map((m) => m.modelId), [info.modelId]);
    } finally {
      await second.dispose();
    }
  });

  it('brings hooks back with their hit counts and breakpoint options, and counts on from there', async () => {
    const session = new SessionState();
    const first = await startServer({ backend: 'wasm' });
    // What the extension's client does with every capture notification.
    first.conn.onNotification('moduleLens/capture', (e: CaptureEvent) => session.hookFired(e.hookId));
    const info = await first.conn.sendRequest(OpenModelRequest, { file: demo });
    session.opened(info);
    const fwd = await first.conn.sendRequest(AttachHookRequest, { modelId: info.modelId, path: 'submodel_2', kind: 'forward' });
    const bp = await first.conn.sendRequest(AttachHookRequest, { modelId: info.modelId, path: 'submodel_3.0', kind: 'pre', breakpoint: true, hitCondition: '== 4' });
    session.hookAttached(fwd);
    session.hookAttached(bp);
    for (let i = 0; i < 3; i++) assert.equal((await first.conn.sendRequest(RunRequest, { modelId: info.modelId, kind: 'forward' })).state, 'finished');
    const before = (await first.conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits, h.hitCondition]);
    assert.deepEqual(before, [[fwd.hookId, 3, undefined], [bp.hookId, 3, '== 4']]);
    assert.deepEqual([session.hitsOf(fwd.hookId), session.hitsOf(bp.hookId)], [3, 3], 'the client counted every hit');
    process.kill(first.child.pid!, 'SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await first.dispose();

    const second = await startServer({ backend: 'wasm' });
    try {
      assert.deepEqual(await session.restore((type, params) => second.conn.sendRequest(type.method, params)), { models: 1, hooks: 2, failures: [] });
      assert.deepEqual((await second.conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits, h.hitCondition]), before);
      // The 4th hit overall is the first one on the new server: `== 4` pauses there only if the count carried over.
      const run = second.conn.sendRequest(RunRequest, { modelId: info.modelId, kind: 'forward' });
      const paused = await second.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'paused' || p.state === 'finished');
      assert.equal(paused.state, 'paused', 'the hit condition counted on from the restored hits');
      await second.conn.sendRequest(ResumeRequest, { mode: 'continue' });
      assert.equal((await run).state, 'finished');
      assert.deepEqual((await second.conn.sendRequest(ListHooksRequest)).hooks.map((h) => [h.hookId, h.hits]), [[fwd.hookId, 4], [bp.hookId, 4]]);
    } finally {
      await second.dispose();
    }
  });
});

describe('backends', () => {
  it('cpu and wasm give the same forward output within 1e-5', async () => {
    const outputs: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      const server = await startServer({ backend });
      try {
        assert.equal((await server.conn.sendRequest(ServerInfoRequest)).backend, backend);
        const { modelId } = await server.conn.sendRequest(OpenModelRequest, { file: fixed });
        const result = await server.conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
        assert.equal(result.state, 'finished', result.error);
        outputs.push([...result.output!.values!]);
      } finally {
        await server.dispose();
      }
    }
    assert.equal(outputs[0].length, 12);
    outputs[0].forEach((v, i) => assert.ok(Math.abs(v - outputs[1][i]) <= 1e-5, `${i}: ${v} vs ${outputs[1][i]}`));
  });
});

/** Fifty modules that each take about 20 ms, so a run lasts long enough to pause. */
const slow = modelFile('slow.ts', `
class Slow extends nn.Module {
  override forward(x: tf.Tensor): tf.Tensor { const end = Date.now() + 20; while (Date.now() < end) { /* busy */ } return tf.add(x, 1); }
}
export default () => new nn.Sequential(...Array.from({ length: 50 }, () => new Slow()));
export const input = () => tf.zeros([2]);
`);

describe('debugging through the model server', () => {
  let server: ServerProcess;
  let modelId: string;
  before(async () => {
    server = await startServer({ backend: 'wasm' });
    modelId = (await server.conn.sendRequest(OpenModelRequest, { file: demo })).modelId;
  });
  after(() => server.dispose());

  const nextPause = async (): Promise<Extract<RunStateParams, { state: 'paused' }>> => {
    const before = server.notifications.length;
    for (let i = 0; i < 200; i++) {
      const hit = server.notifications.slice(before).find(([m, p]) => m === 'moduleLens/runState' && p.state === 'paused');
      if (hit) return hit[1];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no pause');
  };

  it('a conditional breakpoint stops; the console evaluates expressions in a sandbox', async () => {
    const { conn } = server;
    const bp = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_2', kind: 'forward', breakpoint: true, condition: 'args[0].shape[0] === 3 && !output.hasNaN' });
    const pausing = nextPause();
    const run = conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const p = await pausing;
    assert.equal(p.location.path, 'submodel_2');
    const ev = (expression: string) => conn.sendRequest(EvaluateRequest, { expression }).then((r) => r.result);
    assert.equal(await ev('output.shape'), '[3,2]');
    assert.equal(await ev('args[0].shape[1]'), '4');
    assert.match(await ev('output.mean()'), /^tensor\(-?\d+\.\d{4}\)$/);
    // Stats are numbers in comparisons and reductions when called.
    assert.equal(await ev('output.max >= output.min && output.mean > -1e9'), 'true');
    assert.equal(Number(await ev('output.std')), Number(await ev('output.std.valueOf()')));
    assert.match(await ev('args[0].slice([0, 0], [1, 4])'), /^tensor\(\[\[.*\]\]\)$/);
    assert.equal(typeof JSON.parse(await ev('output.sum().item()')), 'number');
    // Nothing outside the sandbox is reachable.
    for (const escape of ['process', 'require("fs")', 'this.constructor.constructor("return process")()', '__bridge.constructor', 'output.values.constructor("return process")()']) {
      const result = await errorOf(ev(escape)).catch(() => undefined);
      const value = result ? undefined : await ev(escape).catch(() => 'error');
      assert.ok(result || value === 'undefined' || value === 'error', `${escape} gave ${value}`);
    }
    const loop = await errorOf(ev('(() => { for (;;) {} })()'));
    assert.match(loop.message, /timed out/);
    await conn.sendRequest(ResumeRequest, { mode: 'continue' });
    assert.equal((await run).state, 'finished');
    await conn.sendRequest('moduleLens/detachHook', { hookId: bp.hookId });
  });

  it('hit counts, logpoints and bad conditions do not stop where they should not', async () => {
    const { conn } = server;
    const second = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_1', kind: 'forward', breakpoint: true, hitCondition: '== 2' });
    const log = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_3', kind: 'forward', breakpoint: true, logMessage: 'out {output.shape} mean={output.mean}' });
    const bad = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_3.0', kind: 'forward', breakpoint: true, condition: 'output.shape[0] ===' });
    assert.match(bad.message ?? '', /^condition does not compile: /);
    const throwing = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_3.1', kind: 'forward', breakpoint: true, condition: 'output.nope.deeper > 1' });
    const first = await conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    assert.equal(first.state, 'finished', 'first hit of submodel_1 does not stop');
    const logged = server.notifications.filter(([m, p]) => m === 'moduleLens/output' && p.hookId === log.hookId).map(([, p]) => p.text);
    assert.match(logged[0], /^out \[3,5\] mean=-?\d/);
    const failed = server.notifications.find(([m, p]) => m === 'moduleLens/output' && p.hookId === throwing.hookId)?.[1];
    assert.equal(failed?.category, 'stderr');
    assert.match(failed?.text, /condition "output.nope.deeper > 1" failed: /);
    const pausing = nextPause();
    const run = conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    assert.equal((await pausing).location.hookId, second.hookId, 'the second hit stops');
    await conn.sendRequest(ResumeRequest, { mode: 'continue' });
    assert.equal((await run).state, 'finished');
    for (const h of [second, log, bad, throwing]) await conn.sendRequest('moduleLens/detachHook', { hookId: h.hookId });
  });

  it('steps over, into and out of modules', async () => {
    const { conn } = server;
    const bp = await conn.sendRequest(AttachHookRequest, { modelId, path: 'submodel_2', kind: 'pre', breakpoint: true });
    let pausing = nextPause();
    const run = conn.sendRequest(RunRequest, { modelId, kind: 'forward' });
    const where = async (mode?: 'stepOver' | 'stepInto' | 'stepOut') => {
      if (mode) {
        pausing = nextPause();
        await conn.sendRequest(ResumeRequest, { mode });
      }
      const p = await pausing;
      return `${p.location.path}:${p.location.kind}`;
    };
    assert.equal(await where(), 'submodel_2:pre');
    assert.equal(await where('stepOver'), 'submodel_2:forward');
    assert.equal(await where('stepOver'), 'submodel_3:pre');
    assert.equal(await where('stepInto'), 'submodel_3.0:pre');
    assert.equal(await where('stepOut'), 'submodel_3:forward');
    await conn.sendRequest(ResumeRequest, { mode: 'continue' });
    assert.equal((await run).state, 'finished');
    await conn.sendRequest('moduleLens/detachHook', { hookId: bp.hookId });
  });

  it('Pause stops a debug run at the next module boundary', async () => {
    const { conn } = server;
    const slowModel = await conn.sendRequest(OpenModelRequest, { file: slow });
    const run = conn.sendRequest(RunRequest, { modelId: slowModel.modelId, kind: 'forward', debug: true });
    await server.waitFor('moduleLens/runState', (p: RunStateParams) => p.state === 'running' && p.modelId === slowModel.modelId);
    await new Promise((r) => setTimeout(r, 100));
    const pausing = nextPause();
    assert.deepEqual(await conn.sendRequest(PauseRequest), { pausing: true });
    const p = await pausing;
    assert.match(p.location.path, /^\d+$/);
    await conn.sendRequest(ResumeRequest, { mode: 'continue' });
    assert.equal((await run).state, 'finished');
  });
});
