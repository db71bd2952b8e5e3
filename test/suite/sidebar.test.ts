/**
 * The sidebar in a real extension host: every palette command run against the
 * demo models (answers that would come from dialogs and quick picks are passed
 * as command arguments), and the Modules and Hooks trees read back through
 * their data providers, as the views read them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface ModelInfo { modelId: string; rootType: string; file: string; input?: { exported: boolean; shapes: number[][] } }
interface HookInfo { hookId: number; modelId: string; path: string; kind: string; breakpoint: boolean; enabled: boolean; hits: number }

/** The parts of the extension's API these tests use. */
interface Api {
  ready: Promise<void>;
  modulesTree: vscode.TreeDataProvider<any>;
  hooksTree: vscode.TreeDataProvider<HookInfo> & {
    refresh(): Promise<readonly HookInfo[]>;
    setEnabled(hook: HookInfo, enabled: boolean): Promise<void>;
  };
  backendStatus: { text: string; tooltip: string };
  server: {
    listModels(): Promise<{ models: ModelInfo[] }>;
    listHooks(): Promise<readonly HookInfo[]>;
    onRunState: vscode.Event<{ state: string }>;
  };
}

/** A row as a view shows it. */
interface Row {
  readonly element: any;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly contextValue: string;
  readonly checked?: boolean;
}

async function row(tree: vscode.TreeDataProvider<any>, element: any): Promise<Row> {
  const item = await tree.getTreeItem(element);
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
  const checked = item.checkboxState === undefined ? undefined
    : (typeof item.checkboxState === 'object' ? item.checkboxState.state : item.checkboxState) === vscode.TreeItemCheckboxState.Checked;
  return { element, label, description: String(item.description ?? ''), tooltip, contextValue: item.contextValue ?? '', checked };
}

async function rows(tree: vscode.TreeDataProvider<any>, parent?: any): Promise<Row[]> {
  const children = (await tree.getChildren(parent)) ?? [];
  return Promise.all(children.map((c) => row(tree, c)));
}

/** The row reached by following labels from a root. */
async function find(tree: vscode.TreeDataProvider<any>, ...labels: string[]): Promise<Row> {
  let current: Row | undefined;
  for (const label of labels) {
    const level = await rows(tree, current?.element);
    current = level.find((r) => r.label === label);
    assert.ok(current, `no row "${label}" among [${level.map((r) => r.label).join(', ')}]`);
  }
  return current!;
}

/** Every module row under (and including) `start`, depth first, with its dotted path. */
async function moduleRows(tree: vscode.TreeDataProvider<any>, start: Row): Promise<Row[]> {
  const out: Row[] = [start];
  for (const child of await rows(tree, start.element)) {
    if (child.element.kind === 'module') out.push(...await moduleRows(tree, child));
  }
  return out;
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const run = (cmd: string, ...args: unknown[]) => vscode.commands.executeCommand<any>(cmd, ...args);

describe('the sidebar: Modules tree, Hooks view and palette commands', function () {
  this.timeout(120_000);
  let api: Api;
  let demo: ModelInfo;
  let workspace: string;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-sidebar-'));
  const created: string[] = [];

  /** Writes a model file into the (trusted) workspace, removed after the suite. */
  function modelFile(name: string, body: string): string {
    const file = path.join(workspace, name);
    fs.writeFileSync(file, `import { nn, tf } from 'module-lens';\n${body}\n`);
    created.push(file);
    return file;
  }

  const demoRoot = () => find(api.modulesTree, 'CustomLinearLayer');
  const hookRows = async () => { await api.hooksTree.refresh(); return rows(api.hooksTree); };
  const openModel = async (file: string) => {
    await run('moduleLens.openModel', file);
    const model = (await api.server.listModels()).models.find((m) => m.file === file);
    assert.ok(model, `${path.basename(file)} did not open`);
    return model;
  };

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    await api.ready;
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // A suite that failed before this one may have left a run paused: these tests need the server idle.
    await run('moduleLens.stop');
    const found = (await api.server.listModels()).models.find((m) => m.rootType === 'CustomLinearLayer');
    assert.ok(found, 'the demo model is open');
    demo = found;
    await run('moduleLens.removeAllHooks');
  });

  after(async () => {
    await run('moduleLens.removeAllHooks');
    for (const m of (await api.server.listModels()).models) if (m.modelId !== demo.modelId) await run('moduleLens.closeModel', m);
    for (const f of created) fs.rmSync(f, { force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the CustomLinearLayer tree: weight [5, 10], bias [5], submodel_1 … submodel_3.1, all train', async () => {
    const root = await demoRoot();
    assert.equal(root.description, 'custom-linear.ts · 118 params · train');
    assert.match(root.contextValue, /^module\.train\.root\.code/);
    assert.match(root.tooltip, /^CustomLinearLayer\(\)\nroot of .*custom-linear\.ts\n118 parameters \(55 own\)/);
    // Sub-modules in registration order, then the groups.
    assert.deepEqual((await rows(api.modulesTree, root.element)).map((r) => r.label), ['submodel_1', 'submodel_2', 'submodel_3', 'Parameters (2)']);
    const [weight, bias] = await rows(api.modulesTree, (await find(api.modulesTree, 'CustomLinearLayer', 'Parameters (2)')).element);
    assert.equal(weight.label, 'weight');
    assert.match(weight.description, /^\[5, 10\] float32/);
    assert.equal(bias.label, 'bias');
    assert.match(bias.description, /^\[5\] float32/);
    assert.equal(weight.contextValue, 'parameter');
    const sub1 = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_1');
    assert.equal(sub1.description, 'Linear · 24 params · train');
    assert.match(sub1.tooltip, /^Linear\(in_features=5, out_features=4, bias=True\)\nsubmodel_1\n24 parameters \(24 own\)/);
    const seq = await rows(api.modulesTree, (await find(api.modulesTree, 'CustomLinearLayer', 'submodel_3')).element);
    assert.deepEqual(seq.map((r) => `${r.label}: ${r.description}`), ['0: Linear · 9 params · train', '1: Linear · 20 params · train']);
    const all = await moduleRows(api.modulesTree, root);
    assert.equal(all.length, 6);
    for (const m of all) assert.match(m.description, / · train$/, `${m.label} is in train mode`);
  });

  it('Eval Mode turns every module to eval; Train Mode back', async () => {
    await run('moduleLens.eval', demo);
    for (const m of await moduleRows(api.modulesTree, await demoRoot())) {
      assert.match(m.description, / · eval$/, `${m.label} is in eval mode`);
      assert.match(m.contextValue, /^module\.eval/);
    }
    await run('moduleLens.train', demo);
    for (const m of await moduleRows(api.modulesTree, await demoRoot())) assert.match(m.description, / · train$/);
  });

  it('flags a mixed train/eval model on its root, listing the modules that differ', async () => {
    const sub3 = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_3');
    await run('moduleLens.eval', sub3.element);
    const root = await demoRoot();
    assert.match(root.description, /^⚠ mixed train\/eval · custom-linear\.ts/);
    assert.match(root.tooltip, /the model is in train mode, but 3 modules are in eval mode:\n {2}submodel_3\n {2}submodel_3\.0\n {2}submodel_3\.1$/);
    await run('moduleLens.train', root.element);
    assert.doesNotMatch((await demoRoot()).description, /mixed/);
  });

  it('opens the BatchNorm model: its buffers, and buffer counts on the row', async () => {
    const bn = await openModel(path.join(workspace, 'batchnorm-dropout.ts'));
    const row = await find(api.modulesTree, 'BatchNormDropoutNet', 'bn');
    assert.equal(row.description, 'BatchNorm1d · 32 params · 3 buffers · train');
    assert.deepEqual((await rows(api.modulesTree, row.element)).map((r) => r.label), ['Parameters (2)', 'Buffers (3)']);
    const buffers = await rows(api.modulesTree, (await find(api.modulesTree, 'BatchNormDropoutNet', 'bn', 'Buffers (3)')).element);
    assert.deepEqual(buffers.map((b) => `${b.label} ${b.description}`),
      ['running_mean [16] float32', 'running_var [16] float32', 'num_batches_tracked [] int32']);
    assert.deepEqual(buffers.map((b) => b.contextValue), ['buffer', 'buffer', 'buffer']);
    // A run fills in statistics: num_batches_tracked counts the one training batch.
    const result = await run('moduleLens.runForward', bn);
    assert.equal(result?.state, 'finished', result?.error);
    await waitFor(async () => {
      const tracked = await find(api.modulesTree, 'BatchNormDropoutNet', 'bn', 'Buffers (3)', 'num_batches_tracked');
      return tracked.description === '[] int32 · μ 1 σ –';
    }, 'num_batches_tracked to show its value after a run');
  });

  it('attaches a hook: a badge on its module row, a row in the Hooks view whose hit count rises with each run', async () => {
    const hook: HookInfo = await run('moduleLens.attachHook', { modelId: demo.modelId, path: 'submodel_2', kind: 'forward' });
    assert.equal(hook.kind, 'forward');
    const sub2 = await waitFor(async () => {
      const r = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_2');
      return r.description.endsWith('· hook: forward') && r;
    }, 'the hook badge on submodel_2');
    assert.match(sub2.contextValue, /\.hooked$/);
    const [hookRow] = await hookRows();
    assert.deepEqual([hookRow.label, hookRow.description, hookRow.contextValue, hookRow.checked], ['submodel_2', 'forward hook · 0 hits', 'hook.enabled', true]);

    const result = await run('moduleLens.runForward', demo);
    assert.equal(result?.state, 'finished', result?.error);
    await waitFor(async () => (await hookRows())[0]?.description === 'forward hook · 1 hit', 'the hit count to reach 1');
    await run('moduleLens.runForward', demo);
    await waitFor(async () => (await hookRows())[0]?.description === 'forward hook · 2 hits', 'the hit count to reach 2');
    assert.equal(await run('moduleLens.revealHook', hook), true);
    assert.deepEqual(await run('moduleLens.showOutputInPanel', sub2.element), { kind: 'module', modelId: demo.modelId, model: 'CustomLinearLayer', path: 'submodel_2' });
  });

  it('adds a hook breakpoint that pauses a run; its checkbox detaches and reattaches it under the same id', async () => {
    const bp: HookInfo = await run('moduleLens.addHookBreakpoint', { modelId: demo.modelId, path: 'submodel_1', kind: 'pre' });
    assert.equal(bp.breakpoint, true);
    const listed = (await hookRows()).find((r) => r.element.hookId === bp.hookId);
    assert.deepEqual([listed?.description, listed?.contextValue], ['forward pre-hook breakpoint · 0 hits', 'hook.enabled.breakpoint']);
    assert.match((await find(api.modulesTree, 'CustomLinearLayer', 'submodel_1')).description, /hook: pre ●$/);

    // The run pauses at the breakpoint; Continue (from the palette) finishes it.
    const paused = new Promise<void>((resolve) => {
      const sub = api.server.onRunState((s) => { if (s.state === 'paused') { sub.dispose(); resolve(); } });
    });
    const running = run('moduleLens.runForward', demo);
    await paused;
    await run('moduleLens.continue');
    assert.equal((await running)?.state, 'finished');

    await api.hooksTree.setEnabled(bp, false);
    const off = (await hookRows()).find((r) => r.element.hookId === bp.hookId);
    assert.deepEqual([off?.description, off?.checked], ['forward pre-hook breakpoint · 1 hit · disabled', false]);
    assert.equal((await api.server.listHooks()).some((h) => h.hookId === bp.hookId), false, 'a disabled hook is detached in the server');
    await waitFor(async () => !(await find(api.modulesTree, 'CustomLinearLayer', 'submodel_1')).description.includes('hook'), 'the badge to go');
    // Disabled, it does not pause the run.
    assert.equal((await run('moduleLens.runForward', demo))?.state, 'finished');

    await api.hooksTree.setEnabled(bp, true);
    assert.ok((await api.server.listHooks()).some((h) => h.hookId === bp.hookId && h.breakpoint), 'reattached under the same id');
    await run('moduleLens.removeHook', bp);
    assert.equal((await hookRows()).some((r) => r.element.hookId === bp.hookId), false);
  });

  it('edits a hook breakpoint\'s condition, hit count and log message from the Hooks view, keeping its id and hits', async () => {
    const bp: HookInfo = await run('moduleLens.addHookBreakpoint', { modelId: demo.modelId, path: 'submodel_3.0', kind: 'forward' });
    const pausedOnce = () => new Promise<void>((resolve) => {
      const sub = api.server.onRunState((s) => { if (s.state === 'paused') { sub.dispose(); resolve(); } });
    });
    // A condition that never holds: the run does not stop.
    const cond: HookInfo & { condition?: string; message?: string } = await run('moduleLens.editHookCondition', bp, 'output.max > 1e9');
    assert.deepEqual([cond.hookId, cond.condition, cond.message], [bp.hookId, 'output.max > 1e9', undefined]);
    assert.equal((await run('moduleLens.runForward', demo))?.state, 'finished');
    let row = (await hookRows()).find((r) => r.element.hookId === bp.hookId)!;
    assert.match(row.tooltip, /^if output\.max > 1e9$/m);
    assert.match(row.description, /· 1 hit$/);

    // A logpoint logs instead of stopping, even with the condition gone; the hit count carries on.
    await run('moduleLens.editHookCondition', bp, '');
    const logged: HookInfo & { logMessage?: string; condition?: string } = await run('moduleLens.editHookLogMessage', bp, 'mean {output.mean}');
    assert.deepEqual([logged.hookId, logged.logMessage, logged.condition, logged.hits], [bp.hookId, 'mean {output.mean}', undefined, 1]);
    assert.equal((await run('moduleLens.runForward', demo))?.state, 'finished');

    // Every second hit stops: hit 3 runs through, hit 4 pauses.
    await run('moduleLens.editHookLogMessage', bp, '');
    const every2: HookInfo & { hitCondition?: string } = await run('moduleLens.editHookHitCount', bp, '% 2');
    assert.deepEqual([every2.hitCondition, every2.hits], ['% 2', 2]);
    assert.equal((await run('moduleLens.runForward', demo))?.state, 'finished');
    const paused = pausedOnce();
    const running = run('moduleLens.runForward', demo);
    await paused;
    await run('moduleLens.continue');
    assert.equal((await running)?.state, 'finished');
    row = (await hookRows()).find((r) => r.element.hookId === bp.hookId)!;
    assert.deepEqual([row.description, row.contextValue], ['forward breakpoint · 4 hits', 'hook.enabled.breakpoint']);

    // A condition that does not compile is reported on the breakpoint, which then never stops.
    const bad: HookInfo & { message?: string } = await run('moduleLens.editHookCondition', bp, 'output.max >');
    assert.match(bad.message ?? '', /^condition does not compile: /);
    await run('moduleLens.removeHook', bp);
  });

  it('Remove Hooks on a module, Remove All Hooks from the palette', async () => {
    await run('moduleLens.attachHook', { modelId: demo.modelId, path: 'submodel_3', kind: 'backward' });
    assert.equal(await run('moduleLens.removeHooks', { modelId: demo.modelId, path: 'submodel_2' }), 1);
    assert.deepEqual((await hookRows()).map((r) => r.label), ['submodel_3']);
    assert.equal(await run('moduleLens.removeAllHooks'), 1);
    assert.deepEqual(await hookRows(), []);
    await waitFor(async () => !(await find(api.modulesTree, 'CustomLinearLayer', 'submodel_3')).contextValue.includes('hooked'), 'the badge to go');
  });

  it('parameter rows show value statistics after a run, and gradient statistics after Run Forward and Backward', async () => {
    assert.equal((await run('moduleLens.runBackward', demo))?.state, 'finished');
    await waitFor(async () => {
      const weight = await find(api.modulesTree, 'CustomLinearLayer', 'Parameters (2)', 'weight');
      // The root's weight is zeros, so the last bias's gradient of sum(output) is the batch size, 3.
      const bias = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_3', '1', 'Parameters (2)', 'bias');
      return weight.description.startsWith('[5, 10] float32 · μ 0 σ 0') && bias.description.endsWith('· ∇ μ 3 σ 0') && bias;
    }, 'statistics on the parameter rows');
  });

  it('runs a model without input() on a random input of the inferred shape, or on a .json file', async () => {
    const mlp = await openModel(modelFile('sidebar-mlp.ts', 'export default () => new nn.Sequential(new nn.Linear(7, 3), new nn.ReLU(), new nn.Linear(3, 2));'));
    assert.deepEqual(mlp.input, { exported: false, shapes: [[1, 7]], basis: '0: Linear(in_features=7, out_features=3, bias=True)' });
    const random = await run('moduleLens.runForward', mlp, { input: { source: 'random', shape: mlp.input!.shapes[0] } });
    assert.deepEqual([random?.state, random?.output?.shape], ['finished', [1, 2]]);
    const json = path.join(scratch, 'x.json');
    fs.writeFileSync(json, JSON.stringify([[1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 0]]));
    const fromFile = await run('moduleLens.runBackward', mlp, { input: { source: 'file', file: json } });
    assert.deepEqual([fromFile?.state, fromFile?.output?.shape], ['finished', [2, 2]]);
    await run('moduleLens.closeModel', mlp);
  });

  it('pages a module with 1,200 children: 500 rows, then "Load more"', async () => {
    const wide = await openModel(modelFile('sidebar-wide.ts', 'export default () => new nn.Sequential(...Array.from({ length: 1200 }, () => new nn.ReLU()));'));
    const first = await rows(api.modulesTree, (await find(api.modulesTree, 'Sequential')).element);
    assert.equal(first.length, 501);
    assert.deepEqual([first[0].label, first[499].label, first[500].label, first[500].description], ['0', '499', 'Load 500 more…', '500 of 1,200 shown']);
    await run('moduleLens.loadMore', first[500].element);
    const second = await rows(api.modulesTree, (await find(api.modulesTree, 'Sequential')).element);
    assert.deepEqual([second.length, second[999].label, second[1000].label], [1001, '999', 'Load 200 more…']);
    await run('moduleLens.closeModel', wide);
  });

  // How fast the root expands is measured by `npm run bench` (part 7), not asserted here.
  it('a 10,000-module model opens, and its root expands to the first page of 500 rows and a Load more row', async () => {
    const big = await openModel(modelFile('sidebar-10k.ts', 'export default () => new nn.Sequential(...Array.from({ length: 10_000 }, () => new nn.Identity()));'));
    const root = (await rows(api.modulesTree)).find((r) => r.element.modelId === big.modelId)!;
    const children = await rows(api.modulesTree, root.element);
    assert.equal(children.length, 501);
    assert.deepEqual([children[0].label, children[0].description, children[499].label], ['0', 'Identity · 0 params · train', '499']);
    assert.deepEqual([children[500].label, children[500].description], ['Load 500 more…', '500 of 10k shown']);
    await run('moduleLens.closeModel', big);
  });

  it('Show State Dict opens a read-only JSON document of keys, shapes and dtypes', async () => {
    const uri: vscode.Uri = await run('moduleLens.showStateDict', demo);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'json');
    const parsed = JSON.parse(doc.getText());
    assert.deepEqual(Object.keys(parsed.state_dict), ['weight', 'bias', 'submodel_1.weight', 'submodel_1.bias', 'submodel_2.weight', 'submodel_2.bias',
      'submodel_3.0.weight', 'submodel_3.0.bias', 'submodel_3.1.weight', 'submodel_3.1.bias']);
    assert.deepEqual(parsed.state_dict.weight, { shape: [5, 10], dtype: 'float32', kind: 'parameter' });
    assert.equal(parsed.elements, 118);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('exports the state dict to .safetensors and loads it back; a strict mismatch is refused', async () => {
    const file = path.join(scratch, 'demo.safetensors');
    assert.equal(await run('moduleLens.exportStateDict', demo, file), file);
    assert.ok(fs.statSync(file).size > 118 * 4);
    assert.equal(await run('moduleLens.loadStateDict', demo, file), true);
    const bn = (await api.server.listModels()).models.find((m) => m.rootType === 'BatchNormDropoutNet')!;
    assert.equal(await run('moduleLens.loadStateDict', bn, file, { strict: true }), undefined, 'keys of another model are refused');
    await run('moduleLens.closeModel', bn);
    // Opening a .safetensors file loads it into an open model; with one open, no question is asked.
    if ((await api.server.listModels()).models.length === 1) assert.equal(await run('moduleLens.openModel', file), undefined);
  });

  it('exports a parameter as .npy', async () => {
    const weight = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_1', 'Parameters (2)', 'weight');
    const file = path.join(scratch, 'w.npy');
    assert.equal(await run('moduleLens.exportTensorNpy', weight.element, file), file);
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
    const headerLength = bytes.readUInt16LE(8);
    assert.match(bytes.subarray(10, 10 + headerLength).toString('latin1'), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(4, 5\), \}/);
    assert.equal(bytes.length, 10 + headerLength + 20 * 4);
  });

  it('Copy Path, Go to Definition, Show in Panel', async () => {
    const leaf = await find(api.modulesTree, 'CustomLinearLayer', 'submodel_3', '1');
    assert.equal(await run('moduleLens.copyPath', leaf.element), 'submodel_3.1');
    const clip = await vscode.env.clipboard.readText();
    if (clip !== '') assert.equal(clip, 'submodel_3.1');
    const at = await run('moduleLens.goToDefinition', { modelId: demo.modelId, path: 'submodel_2' });
    assert.equal(at?.file, demo.file);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, demo.file);
    assert.match(editor!.document.lineAt(editor!.selection.active.line).text, /this\.submodel_2 = new nn\.Linear\(4, 2\)/);
    const inner = await run('moduleLens.goToDefinition', leaf.element);
    assert.match(editor!.document.lineAt(inner.line).text, /nn\.Linear\(3, 5\)/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const weight = await find(api.modulesTree, 'CustomLinearLayer', 'Parameters (2)', 'weight');
    const shown = await run('moduleLens.showTensorInPanel', weight.element);
    assert.equal(shown?.kind, 'snapshot', 'Show in Panel on a parameter row shows its value');
    assert.equal(shown.snapshot.name, 'weight');
    assert.deepEqual(shown.snapshot.summary.shape, [5, 10]);
    await run('moduleLens.showCaptures');
    await run('moduleLens.clearCaptures');
  });

  it('Reload Model keeps the model id and the tree; Open Demo Model and Close Model', async () => {
    await run('moduleLens.reloadModel', demo);
    const after = (await api.server.listModels()).models.find((m) => m.file === demo.file);
    assert.equal(after?.modelId, demo.modelId);
    assert.equal((await demoRoot()).label, 'CustomLinearLayer');
    await run('moduleLens.openDemoModel');
    const models = (await api.server.listModels()).models;
    assert.ok(models.some((m) => m.rootType === 'CustomLinearLayer'));
    await run('moduleLens.refresh');
    await run('moduleLens.stop');
  });

  it('Select Backend… restarts the server on the chosen backend and brings the models and hooks back', async () => {
    const hook: HookInfo = await run('moduleLens.attachHook', { modelId: demo.modelId, path: 'submodel_1', kind: 'forward' });
    try {
      assert.equal(await run('moduleLens.selectBackend', 'cpu'), 'cpu');
      assert.match(api.backendStatus.text, /cpu$/);
      assert.ok((await api.server.listModels()).models.some((m) => m.modelId === demo.modelId), 'the demo model came back');
      assert.ok((await api.server.listHooks()).some((h) => h.hookId === hook.hookId), 'the hook came back');
      assert.equal((await run('moduleLens.runForward', demo))?.state, 'finished');
    } finally {
      assert.match(await run('moduleLens.selectBackend', 'auto'), /^(wasm|tensorflow)$/);
      await vscode.workspace.getConfiguration('moduleLens').update('backend', undefined, vscode.ConfigurationTarget.Global);
      await run('moduleLens.removeAllHooks');
    }
  });

  it('contributes every palette command of the issue, hidden by when clauses where meaningless', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(vscode.extensions.getExtension('module-lens.module-lens')!.extensionPath, 'package.json'), 'utf8'));
    const titles = new Map<string, string>(manifest.contributes.commands.map((c: { command: string; title: string }) => [c.command, c.title]));
    const palette = new Map<string, string>(manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
    const expected: [string, string, string | undefined][] = [
      ['moduleLens.openModel', 'Open Model…', undefined],
      ['moduleLens.openDemoModel', 'Open Demo Model', undefined],
      ['moduleLens.reloadModel', 'Reload Model', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.closeModel', 'Close Model', 'moduleLens.hasModels'],
      ['moduleLens.runForward', 'Run Forward', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.runBackward', 'Run Forward and Backward', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.stop', 'Stop', 'moduleLens.running'],
      ['moduleLens.train', 'Train Mode', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.eval', 'Eval Mode', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.attachHook', 'Attach Hook…', 'moduleLens.hasModels'],
      ['moduleLens.removeAllHooks', 'Remove All Hooks', 'moduleLens.hasHooks'],
      ['moduleLens.showStateDict', 'Show State Dict', 'moduleLens.hasModels'],
      ['moduleLens.exportStateDict', 'Export State Dict (.safetensors)…', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.loadStateDict', 'Load State Dict…', 'moduleLens.hasModels && !moduleLens.running'],
      ['moduleLens.selectBackend', 'Select Backend…', undefined],
      ['moduleLens.showCaptures', 'Show Captures Panel', undefined],
      ['moduleLens.clearCaptures', 'Clear Captures', undefined],
    ];
    for (const [id, title, when] of expected) {
      assert.equal(titles.get(id), title, `${id} is titled "${title}"`);
      if (when) assert.equal(palette.get(id), when, `${id} shows in the palette when ${when}`);
    }
    for (const id of ['moduleLens.copyPath', 'moduleLens.exportTensorNpy', 'moduleLens.removeHook', 'moduleLens.loadMore']) {
      assert.equal(palette.get(id), 'false', `${id} needs a row, so the palette hides it`);
    }
  });
});
