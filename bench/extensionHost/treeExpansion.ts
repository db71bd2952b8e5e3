/**
 * Runs inside a real extension host (VS Code's `extensionTestsPath`), started by
 * `bench/treeExpansion.ts`: opens a 10,001-module model through the extension's own
 * command and times how long the Modules tree takes to expand its root, the way the view
 * does it: `getChildren` of the root, then `getTreeItem` for every row of the first page.
 * Writes its figures as JSON to the file named by `MODULE_LENS_BENCH_OUT` (see `treeFigures.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TREE_BENCH_OUT_ENV, type TreeExpansionFigures } from './treeFigures';

interface Api {
  ready: Promise<void>;
  modulesTree: vscode.TreeDataProvider<{ modelId?: string }>;
  server: { listModels(): Promise<{ models: { modelId: string; file: string }[] }> };
}

const MODULES = 10_000;
const REPEATS = 7;

async function measure(): Promise<TreeExpansionFigures> {
  const api = await vscode.extensions.getExtension<Api>('module-lens.module-lens')!.activate();
  await api.ready;
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = path.join(folder, 'ten-thousand-identities.ts');
  fs.writeFileSync(file, `import { nn } from 'module-lens';\nexport default () => new nn.Sequential(...Array.from({ length: ${MODULES} }, () => new nn.Identity()));\n`);
  const t0 = performance.now();
  await vscode.commands.executeCommand('moduleLens.openModel', file);
  const openMs = performance.now() - t0;
  const model = (await api.server.listModels()).models.find((m) => m.file === file);
  if (!model) throw new Error(`${path.basename(file)} did not open`);
  const roots = (await api.modulesTree.getChildren()) ?? [];
  const root = roots.find((r) => r.modelId === model.modelId);
  if (!root) throw new Error('the model has no root row');
  const expandMs: number[] = [];
  let rowsShown = 0;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const children = (await api.modulesTree.getChildren(root)) ?? [];
    for (const c of children) await api.modulesTree.getTreeItem(c);
    expandMs.push(performance.now() - start);
    rowsShown = children.length;
  }
  await vscode.commands.executeCommand('moduleLens.closeModel', model);
  return { modules: MODULES + 1, openMs, expandMs, rowsShown };
}

/** VS Code's test entry point: always resolves; failures are written into the figures. */
export async function run(): Promise<void> {
  const out = process.env[TREE_BENCH_OUT_ENV];
  let figures: TreeExpansionFigures;
  try {
    figures = await measure();
  } catch (err) {
    figures = { modules: MODULES + 1, openMs: 0, expandMs: [], rowsShown: 0, error: (err as Error).message };
  }
  if (out) fs.writeFileSync(out, JSON.stringify(figures));
}
