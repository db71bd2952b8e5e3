/** The `moduleLens.*` commands. Each handler is thin: it gathers input and calls the server. */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModuleNode, NodeInfo } from '../protocol';
import { DEFAULT_MODEL } from './defaultModel';
import { MODEL_FILE_EXTENSIONS } from './modelFiles';
import { ModelRefusedError, type ModelOpener } from './modelOpener';
import type { ModulesTreeProvider } from './modulesTreeProvider';
import type { ModelServer } from './serverClient';

/** Command ids, as contributed in package.json. */
export const Commands = {
  openModel: 'moduleLens.openModel',
  openDemoModel: 'moduleLens.openDemoModel',
  closeModel: 'moduleLens.closeModel',
  refresh: 'moduleLens.refresh',
  train: 'moduleLens.train',
  eval: 'moduleLens.eval',
  showLog: 'moduleLens.showLog',
  openDocs: 'moduleLens.openDocs',
} as const;

/** What the command handlers work with. */
export interface CommandDeps {
  readonly server: ModelServer;
  readonly opener: ModelOpener;
  readonly tree: ModulesTreeProvider;
  readonly treeView: vscode.TreeView<NodeInfo>;
  readonly output: vscode.OutputChannel;
  readonly extensionPath: string;
}

/**
 * Shows a failure as one notification; a Restricted Mode refusal offers to manage trust.
 * Does not wait for the notification, so the command finishes when its work does.
 */
function report(err: unknown): void {
  const message = `Module Lens: ${(err as Error).message}`;
  if (!(err instanceof ModelRefusedError)) {
    void vscode.window.showErrorMessage(message);
  } else if (!err.needsTrust) {
    void vscode.window.showWarningMessage(message);
  } else {
    const manage = 'Manage Workspace Trust';
    void vscode.window.showWarningMessage(message, manage).then((choice) =>
      choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined);
  }
}

/** Runs a handler and turns its failure into one notification instead of VS Code's generic one. */
export function reporting<A extends unknown[]>(fn: (...args: A) => PromiseLike<unknown>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      report(err);
    }
  };
}

/** The module a command should act on: its argument when run from the tree, else the selection. */
function targetModule(deps: CommandDeps, node: unknown): ModuleNode | undefined {
  const candidate = (node ?? deps.treeView.selection[0]) as NodeInfo | undefined;
  return candidate?.kind === 'module' ? candidate : undefined;
}

async function pickModelFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open Model',
    title: 'Open a model file (TypeScript/JavaScript module or tfjs model.json)',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Model files': [...MODEL_FILE_EXTENSIONS] },
  });
  return picked?.[0]?.fsPath;
}

async function openAndShow(deps: CommandDeps, file: string, builtin: boolean): Promise<void> {
  await deps.opener.open(file, builtin);
  // The tree redraws on the server's modelsChanged; make sure it is visible too.
  await vscode.commands.executeCommand('moduleLens.modules.focus');
}

async function setTraining(deps: CommandDeps, node: unknown, mode: boolean): Promise<void> {
  const target = targetModule(deps, node);
  if (!target) {
    void vscode.window.showInformationMessage(`Module Lens: select a module in the Modules view to switch it to ${mode ? 'train' : 'eval'} mode.`);
    return;
  }
  // Recursive, like PyTorch's module.train()/eval().
  await deps.server.setTraining({ modelId: target.modelId, path: target.path, mode, recursive: true });
}

/**
 * Registers every command.
 *
 * @returns the registrations, for `context.subscriptions`
 */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const register = <A extends unknown[]>(id: string, fn: (...args: A) => PromiseLike<unknown>) =>
    vscode.commands.registerCommand(id, reporting(fn));
  return [
    register(Commands.openModel, async (uri?: unknown) => {
      const file = uri instanceof vscode.Uri ? uri.fsPath : await pickModelFile();
      if (file) await openAndShow(deps, file, false);
    }),
    register(Commands.openDemoModel, () => openAndShow(deps, path.join(deps.extensionPath, DEFAULT_MODEL), true)),
    register(Commands.closeModel, async (node?: unknown) => {
      const target = targetModule(deps, node);
      if (target) await deps.server.closeModel(target.modelId);
    }),
    register(Commands.refresh, async () => deps.tree.refresh()),
    register(Commands.train, (node?: unknown) => setTraining(deps, node, true)),
    register(Commands.eval, (node?: unknown) => setTraining(deps, node, false)),
    register(Commands.showLog, async () => deps.output.show(true)),
    register(Commands.openDocs, async () => {
      const readme = path.join(deps.extensionPath, 'README.md');
      if (!fs.existsSync(readme)) throw new Error('this build ships no README.md to show.');
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(readme));
    }),
  ];
}
