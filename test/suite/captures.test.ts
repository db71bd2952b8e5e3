import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { tensorNpy } from '../../src/extension/captures/captureExports';
import type { EventLog } from '../../src/extension/captures/eventLog';
import { until } from './until';

/** The parts of the extension's API these tests use. */
interface Api {
  ready: Promise<void>;
  server: {
    listModels(): Promise<{ models: { modelId: string; rootType: string }[] }>;
    attachHook(p: { modelId: string; path: string; kind: 'forward' }): Promise<{ hookId: number }>;
    detachHook(hookId: number): Promise<boolean>;
    run(p: { modelId: string; kind: 'forward' }): Promise<{ state: string; error?: string }>;
    getTensor(p: { tensorId: string; start?: number; end?: number }): Promise<{ start: number; values: number[]; summary: unknown }>;
  };
  captures: { readonly log: EventLog | undefined; readonly webviewPanel: vscode.WebviewPanel | undefined; readonly webviewReady: boolean };
}

describe('the Captures panel in the extension host', () => {
  let api: Api;

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
  });

  // Leave the editor area as the other suites expect it.
  after(() => api.captures.webviewPanel?.dispose());

  it('opens beside the editor with scripts, a CSP, and local resources limited to dist and media', async () => {
    await vscode.commands.executeCommand('moduleLens.showCaptures');
    const panel = api.captures.webviewPanel;
    assert.ok(panel, 'the panel is open');
    assert.equal(panel.viewType, 'moduleLens.captures');
    assert.equal(panel.webview.options.enableScripts, true);
    assert.deepEqual(panel.webview.options.localResourceRoots?.map((u) => u.path.split('/').slice(-1)[0]), ['dist', 'media']);
    assert.equal((panel.options as { retainContextWhenHidden?: boolean }).retainContextWhenHidden, undefined);
    assert.match(panel.webview.html, /default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]{24}'/);
    // The codicon stylesheet (copied into dist/ by the bundle) and ours, as webview resource URIs.
    const links = [...panel.webview.html.matchAll(/<link rel="stylesheet" nonce="[^"]+" href="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(links.length, 2);
    assert.match(links[0], /^(https|vscode-webview-resource|vscode-resource):.*\/dist\/codicon\.css$/);
    assert.match(links[1], /\/media\/captures\.css$/);
    assert.match(panel.webview.html, new RegExp(`font-src ${panel.webview.cspSource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // The webview loads its script and posts `ready` (the workbench is open in a browser).
    await until('the webview to post ready', () => api.captures.webviewReady);
  });

  it('logs hook events from a run, with values readable from the server for export', async () => {
    const model = (await api.server.listModels()).models.find((m) => m.rootType === 'CustomLinearLayer');
    assert.ok(model, 'the demo model is open');
    const before = api.captures.log?.size ?? 0;
    const { hookId } = await api.server.attachHook({ modelId: model.modelId, path: 'submodel_1', kind: 'forward' });
    try {
      const result = await api.server.run({ modelId: model.modelId, kind: 'forward' });
      assert.equal(result.state, 'finished', result.error);
      await until('the event in the panel log', () => (api.captures.log?.size ?? 0) > before, 5000);
      const entry = api.captures.log!.entries().at(-1)!;
      assert.equal(entry.panel.event.path, 'submodel_1');
      assert.equal(entry.panel.model, 'CustomLinearLayer');
      assert.deepEqual(entry.panel.event.tensors.map((t) => t.slot), ['args[0]', 'output']);
      const npy = await tensorNpy(entry, 1, (p) => api.server.getTensor(p as { tensorId: string }) as never);
      assert.match(new TextDecoder().decode(npy.subarray(0, 80)), /'shape': \(3, 4\)/);
    } finally {
      await api.server.detachHook(hookId);
    }
  });

  it('"Clear Captures" empties the log', async () => {
    await vscode.commands.executeCommand('moduleLens.clearCaptures');
    assert.equal(api.captures.log?.size, 0);
  });
});
