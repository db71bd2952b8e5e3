import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** What the extension's `activate()` returns (the contract with src/extension). */
interface ModuleLensApi {
  modulesTree: vscode.TreeDataProvider<any>;
  ready: Promise<void>;
}

const EXTENSION_ID = 'module-lens.module-lens';

/** The commands the README and the views rely on; package.json must contribute at least these. */
const EXPECTED_COMMANDS = [
  'moduleLens.openModel',
  'moduleLens.openDemoModel',
  'moduleLens.refresh',
  'moduleLens.train',
  'moduleLens.eval',
];

async function labelOf(tree: vscode.TreeDataProvider<any>, element: unknown): Promise<string> {
  const item = await tree.getTreeItem(element);
  const label = item.label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

describe('Module Lens in a real VS Code extension host', function () {
  let extension: vscode.Extension<ModuleLensApi>;
  let api: ModuleLensApi;

  it('runs in VS Code 1.100', () => {
    assert.match(vscode.version, /^1\.100\./);
  });

  it(`activates ${EXTENSION_ID}`, async () => {
    const found = vscode.extensions.getExtension<ModuleLensApi>(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded`);
    extension = found;
    api = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.ok(api?.modulesTree, 'activate() returned no modulesTree');
    assert.equal(typeof api.ready?.then, 'function', 'activate() returned no ready promise');
  });

  it('registers every command it contributes', async () => {
    assert.ok(extension, 'extension did not activate');
    const manifest = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.json'), 'utf8'));
    const contributed: string[] = (manifest.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    for (const id of EXPECTED_COMMANDS) assert.ok(contributed.includes(id), `package.json does not contribute ${id}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('shows the demo model in the Modules tree', async () => {
    assert.ok(api, 'extension did not activate');
    await api.ready;
    const tree = api.modulesTree;
    const roots = (await tree.getChildren()) ?? [];
    const rootLabels = await Promise.all(roots.map((r) => labelOf(tree, r)));
    const demo = roots.filter((_, i) => rootLabels[i] === 'CustomLinearLayer');
    assert.equal(demo.length, 1, `expected one CustomLinearLayer root, got [${rootLabels.join(', ')}]`);
    const children = (await tree.getChildren(demo[0])) ?? [];
    const childLabels = await Promise.all(children.map((c) => labelOf(tree, c)));
    for (const name of ['submodel_1', 'submodel_2', 'submodel_3']) {
      assert.ok(childLabels.includes(name), `CustomLinearLayer has no child ${name}: [${childLabels.join(', ')}]`);
    }
  });
});
