import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** The parts of the extension's API these tests use. */
interface Api {
  ready: Promise<void>;
  backendStatus: { text: string; tooltip: string };
  server: {
    listModels(): Promise<{ models: { modelId: string; rootType: string }[] }>;
    attachHook(p: { modelId: string; path: string; kind: 'pre' | 'forward' | 'backward' }): Promise<{ hookId: number }>;
    detachHook(hookId: number): Promise<boolean>;
    run(p: { modelId: string; kind: 'forward' | 'backward' }): Promise<{ state: string; output?: { shape: number[] } | null; error?: string }>;
    memory(): Promise<{ numTensors: number }>;
    clearCaptures(): Promise<number>;
    onCapture: vscode.Event<{ path: string; kind: string; tensors: { slot: string; summary: { shape: number[] } | null }[] }>;
  };
}

describe('the model server behind the extension', () => {
  let api: Api;

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
  });

  it('shows the active backend in the status bar', () => {
    // tfjs-node is optional and absent on machines without internet; then wasm is the fastest.
    assert.match(api.backendStatus.text, /(wasm|tensorflow)$/);
    assert.match(api.backendStatus.tooltip, /^Module Lens backend: (wasm|tensorflow) \(server pid \d+\)/);
    assert.notEqual(Number(/pid (\d+)/.exec(api.backendStatus.tooltip)?.[1]), process.pid, 'the server is its own process');
  });

  it('runs the demo model with a hook; captures stream into the extension host', async () => {
    const model = (await api.server.listModels()).models.find((m) => m.rootType === 'CustomLinearLayer');
    assert.ok(model, 'the demo model is open');
    await api.server.clearCaptures();
    const baseline = (await api.server.memory()).numTensors;
    const { hookId } = await api.server.attachHook({ modelId: model.modelId, path: 'submodel_2', kind: 'forward' });
    const captured: string[] = [];
    const sub = api.server.onCapture((e) => captured.push(`${e.path}:${e.kind}:${e.tensors.map((t) => `${t.slot}=${t.summary?.shape.join('x')}`).join(',')}`));
    try {
      const result = await api.server.run({ modelId: model.modelId, kind: 'forward' });
      assert.equal(result.state, 'finished', result.error);
      assert.deepEqual(result.output?.shape, [3, 5]);
      // The notification may trail the reply by a tick.
      for (let i = 0; i < 50 && captured.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(captured, ['submodel_2:forward:args[0]=3x4,output=3x2']);
    } finally {
      sub.dispose();
      await api.server.detachHook(hookId);
    }
    await api.server.clearCaptures();
    assert.equal((await api.server.memory()).numTensors, baseline, 'no tensor left in the server');
  });
});
