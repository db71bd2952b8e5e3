import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface Api {
  ready: Promise<void>;
  server: { listModels(): Promise<{ models: { rootType: string; file: string }[] }> };
}

/** A model file whose import leaves a mark on disk: if the mark appears, the file ran. */
function markingModel(dir: string): { file: string; mark: string } {
  const mark = path.join(dir, 'model-ran.txt');
  const file = path.join(dir, 'marking-model.ts');
  fs.writeFileSync(file, [
    "import * as fs from 'node:fs';",
    "import { nn } from 'module-lens';",
    `fs.writeFileSync(${JSON.stringify(mark)}, 'this model file was executed');`,
    'export default () => new nn.Linear(2, 2);',
    '',
  ].join('\n'));
  return { file, mark };
}

describe('Restricted Mode (workspace trust on, folder not trusted)', () => {
  let api: Api;
  let dir: string;

  before(async () => {
    api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
    dir = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await api.ready.catch(() => undefined);
  });

  it('runs with the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('never executes a JS/TS model file of the workspace, by any path', async () => {
    const { file, mark } = markingModel(dir);
    await vscode.commands.executeCommand('moduleLens.openModel', file);
    // (VS Code itself keeps the debugger off in Restricted Mode; the adapter goes through the same opener.)
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fs.existsSync(mark), false, 'the model file ran in Restricted Mode');
    const files = (await api.server.listModels()).models.map((m) => m.file);
    assert.equal(files.includes(file), false, `opened: ${files.join(', ')}`);
  });

  it('still opens a layers model.json, which is data', async () => {
    const modelJson = path.join(dir, 'cnn', 'model.json');
    await vscode.commands.executeCommand('moduleLens.openModel', modelJson);
    const models = (await api.server.listModels()).models;
    assert.ok(models.some((m) => m.file === modelJson && m.rootType === 'Sequential'), models.map((m) => m.file).join(', '));
  });
});
