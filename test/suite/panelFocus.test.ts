/**
 * "Show in Panel" in a real extension host with the real webview: the Modules tree's commands
 * on module and parameter rows, a captured tensor by server id, a module without events (the
 * notice, then its "Attach Forward Hook" button's message attaching the hook, then the first
 * event opening by itself), and a focus asked for while the panel is hidden. What the page
 * shows is read from its own `focusShown` reports.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EventLog } from '../../src/extension/captures/eventLog';
import type { FocusShownMessage, FocusTarget } from '../../src/protocol';
import { until } from './until';

interface HookInfo { hookId: number; modelId: string; path: string; kind: string; breakpoint: boolean }

/** The parts of the extension's API these tests use. */
interface Api {
  ready: Promise<void>;
  modulesTree: vscode.TreeDataProvider<any>;
  server: {
    listModels(): Promise<{ models: { modelId: string; rootType: string }[] }>;
    listHooks(): Promise<readonly HookInfo[]>;
    run(p: { modelId: string; kind: 'forward' }): Promise<{ runId: number; state: string; error?: string }>;
    getTensor(p: { modelId: string; name: string; start?: number; end?: number }): Promise<{ summary: { shape: number[] }; values: number[] }>;
  };
  captures: {
    readonly log: EventLog | undefined;
    readonly webviewPanel: vscode.WebviewPanel | undefined;
    readonly webviewReady: boolean;
    readonly onDidShowFocus: vscode.Event<FocusShownMessage>;
    receiveFromWebview(m: unknown): Promise<void>;
  };
}

const run = (cmd: string, ...args: unknown[]) => vscode.commands.executeCommand<any>(cmd, ...args);

/** The tree element reached by following labels from a root, as the Modules view shows them. */
async function treeNode(tree: vscode.TreeDataProvider<any>, ...labels: string[]): Promise<any> {
  let current: any;
  for (const label of labels) {
    const children = (await tree.getChildren(current)) ?? [];
    const items = await Promise.all(children.map(async (c) => ({ c, item: await tree.getTreeItem(c) })));
    const found = items.find(({ item }) => (typeof item.label === 'string' ? item.label : item.label?.label) === label);
    assert.ok(found, `no row "${label}"`);
    current = found.c;
  }
  return current;
}

describe('Show in Panel focuses the Captures panel', function () {
  this.timeout(120_000);
  let api: Api;
  let modelId: string;
  const reports: FocusShownMessage[] = [];
  let sub: vscode.Disposable | undefined;

  /** The next report of the webview after `from`. */
  const nextReport = (from: number, what: string) => until(what, () => reports.length > from && reports[reports.length - 1]);

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
    await run('moduleLens.stop');
    await run('moduleLens.removeAllHooks');
    const model = (await api.server.listModels()).models.find((m) => m.rootType === 'CustomLinearLayer');
    assert.ok(model, 'the demo model is open');
    modelId = model.modelId;
    sub = api.captures.onDidShowFocus((m) => reports.push(m));
  });

  after(async () => {
    sub?.dispose();
    await run('moduleLens.removeAllHooks');
    api.captures.webviewPanel?.dispose();
  });

  it('"Show Output in Panel" on a module row opens its newest event at the output card, filtered to it', async () => {
    await run('moduleLens.attachHook', { modelId, path: 'submodel_1', kind: 'forward' });
    await run('moduleLens.showCaptures');
    await until('the webview to post ready', () => api.captures.webviewReady);
    const result = await api.server.run({ modelId, kind: 'forward' });
    assert.equal(result.state, 'finished', result.error);
    await until('the event in the panel log', () => api.captures.log?.entries().some((e) => e.panel.event.runId === result.runId));
    const newest = api.captures.log!.entries().filter((e) => e.panel.event.path === 'submodel_1').at(-1)!;

    const from = reports.length;
    const node = await treeNode(api.modulesTree, 'CustomLinearLayer', 'submodel_1');
    const sent: FocusTarget = await run('moduleLens.showOutputInPanel', node);
    assert.deepEqual(sent, { kind: 'module', modelId, model: 'CustomLinearLayer', path: 'submodel_1' });
    const shown = await nextReport(from, 'the webview to show the module');
    assert.deepEqual({ ...shown, text: '' }, { type: 'focusShown', target: 'module', shown: 'event', eventId: newest.panel.id, slot: 'output', filter: '=submodel_1', text: '' });
    assert.equal(shown.text, 'output of submodel_1');
  });

  it('"Show in Panel" on a parameter row shows its current value as a snapshot taken after the last run', async () => {
    const result = await api.server.run({ modelId, kind: 'forward' });
    assert.equal(result.state, 'finished', result.error);
    const from = reports.length;
    const node = await treeNode(api.modulesTree, 'CustomLinearLayer', 'submodel_1', 'Parameters (2)', 'weight');
    assert.equal(node.kind, 'parameter');
    const sent: FocusTarget = await run('moduleLens.showTensorInPanel', node);
    assert.equal(sent.kind, 'snapshot');
    if (sent.kind !== 'snapshot') return;
    const server = await api.server.getTensor({ modelId, name: 'submodel_1.weight', start: 0, end: 0 });
    assert.deepEqual(sent.snapshot.summary, server.summary, 'the summary is the server\'s');
    assert.deepEqual(sent.snapshot.summary.shape, [4, 5]);
    assert.equal(sent.snapshot.afterRun, result.runId);
    assert.equal(sent.snapshot.source, 'parameter');
    const shown = await nextReport(from, 'the webview to show the snapshot');
    assert.equal(shown.shown, 'snapshot');
    assert.equal(shown.text, `Parameter snapshot: submodel_1.weight · CustomLinearLayer · taken after run ${result.runId}`);
  });

  it('a captured tensor by server id opens its event and card', async () => {
    const entry = api.captures.log!.entries().filter((e) => e.panel.event.path === 'submodel_1').at(-1)!;
    const slot = entry.panel.event.tensors.findIndex((t) => t.slot === 'args[0]');
    const from = reports.length;
    const sent: FocusTarget = await run('moduleLens.showInPanel', { kind: 'capture', tensorId: entry.panel.event.tensors[slot].tensorId });
    assert.deepEqual(sent, { kind: 'event', eventId: entry.panel.id, slot });
    const shown = await nextReport(from, 'the webview to show the card');
    assert.deepEqual([shown.shown, shown.eventId, shown.slot, shown.text], ['event', entry.panel.id, 'args[0]', 'args[0] of submodel_1']);
  });

  it('a module with no events says so; its Attach Forward Hook button attaches the hook, and the first event opens', async () => {
    const from = reports.length;
    const node = await treeNode(api.modulesTree, 'CustomLinearLayer', 'submodel_3', '0');
    await run('moduleLens.showOutputInPanel', node);
    const shown = await nextReport(from, 'the notice');
    assert.equal(shown.shown, 'none');
    assert.equal(shown.filter, '=submodel_3.0');
    assert.match(shown.text, /^No captures of submodel_3\.0 yet — attach a forward hook and run/);
    // What the button posts; the host attaches the hook the way the Modules view does.
    await api.captures.receiveFromWebview({ type: 'attachHook', modelId, path: 'submodel_3.0', kind: 'forward' });
    const hooks = await api.server.listHooks();
    assert.ok(hooks.some((h) => h.modelId === modelId && h.path === 'submodel_3.0' && h.kind === 'forward' && !h.breakpoint), JSON.stringify(hooks));
    const result = await api.server.run({ modelId, kind: 'forward' });
    assert.equal(result.state, 'finished', result.error);
    const opened = await nextReport(from + 1, 'the first event of submodel_3.0 to open');
    const entry = api.captures.log!.entries().find((e) => e.panel.event.path === 'submodel_3.0' && e.panel.event.runId === result.runId)!;
    assert.deepEqual([opened.target, opened.shown, opened.eventId, opened.slot], ['module', 'event', entry.panel.id, 'output']);
  });

  it('a focus asked for while the panel is hidden is sent after the reloaded webview\'s ready', async () => {
    const panel = api.captures.webviewPanel!;
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'nan.ts');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, { viewColumn: panel.viewColumn, preview: true });
    await until('the panel to be hidden', () => !panel.visible && !api.captures.webviewReady);
    const from = reports.length;
    const node = await treeNode(api.modulesTree, 'CustomLinearLayer', 'submodel_1');
    await run('moduleLens.showOutputInPanel', node);
    const shown = await nextReport(from, 'the focus after the reload');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(reports.length, from + 1, 'the queued focus is the only one: the page does not also bring back its saved one');
    assert.equal(shown.shown, 'event');
    assert.equal(shown.filter, '=submodel_1');
    assert.ok(panel.visible && api.captures.webviewReady);
    await vscode.window.showTextDocument(doc, { viewColumn: panel.viewColumn });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
