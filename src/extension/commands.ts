/** The `moduleLens.*` commands. Each handler is thin: it gathers input and calls the server. */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelInfo } from '../protocol';
import { DEFAULT_MODEL } from './defaultModel';
import { isStateDictFile, MODEL_FILE_EXTENSIONS } from './modelFiles';
import { ModelRefusedError, type ModelOpener } from './modelOpener';
import type { ModulesTreeProvider } from './modulesTreeProvider';
import type { ModelServer } from './serverClient';
import { isModuleRef, pickModel } from './targets';
import type { TreeNode } from './treeItems';

/** Command ids, as contributed in package.json. */
export const Commands = {
  openModel: 'moduleLens.openModel',
  /** Explorer's context menu on a model file: Open Model without the dialog. */
  openInModuleLens: 'moduleLens.openInModuleLens',
  openDemoModel: 'moduleLens.openDemoModel',
  reloadModel: 'moduleLens.reloadModel',
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
  readonly treeView: vscode.TreeView<TreeNode>;
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

async function pickModelFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open',
    title: 'Open a model file (TypeScript/JavaScript module or tfjs model.json), or a .safetensors state dict to load into an open model',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Model files': [...MODEL_FILE_EXTENSIONS], 'State dicts': ['safetensors'] },
  });
  return picked?.[0]?.fsPath;
}

/**
 * Opens a model with cancellable progress and shows the Modules view. Cancel stops waiting;
 * a model that was not open before and finishes loading after Cancel is closed again.
 */
async function openAndShow(deps: CommandDeps, file: string, builtin: boolean): Promise<ModelInfo | undefined> {
  const before = new Set((await deps.server.listModels()).models.map((m) => m.modelId));
  const name = path.basename(file);
  const model = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Module Lens: opening ${name}`, cancellable: true },
    (_progress, token) => new Promise<ModelInfo | undefined>((resolve, reject) => {
      const opening = deps.opener.open(file, builtin);
      const sub = token.onCancellationRequested(() => {
        resolve(undefined);
        opening.then((m) => (before.has(m.modelId) ? undefined : deps.server.closeModel(m.modelId)), () => undefined)
          .catch((err: Error) => deps.output.appendLine(`Closing ${name} after Cancel failed: ${err.message}`));
      });
      opening.then(resolve, reject).finally(() => sub.dispose());
    }),
  );
  // The tree redraws on the server's modelsChanged; make sure it is visible too.
  if (model) await vscode.commands.executeCommand('moduleLens.modules.focus');
  return model;
}

/**
 * Train or eval mode, recursively like PyTorch's `module.train()`/`eval()`: on the module a
 * row (or caller) names, else on a whole model.
 */
async function setTraining(deps: CommandDeps, node: unknown, mode: boolean): Promise<void> {
  const target = isModuleRef(node) ? node : (await pickModel(deps.server, node, `${mode ? 'Train' : 'Eval'} Mode`))?.root;
  if (!target) return;
  await deps.server.setTraining({ modelId: target.modelId, path: target.path, mode, recursive: true });
}

/** A file path from a command argument: a `Uri` (explorer menus) or a string (callers). */
function fileArg(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  return typeof arg === 'string' && arg.length > 0 ? path.resolve(arg) : undefined;
}

/**
 * Registers every command.
 *
 * @returns the registrations, for `context.subscriptions`
 */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const register = <A extends unknown[]>(id: string, fn: (...args: A) => PromiseLike<unknown>) =>
    vscode.commands.registerCommand(id, reporting(fn));
  const openFile = async (file: string | undefined) => {
    if (!file) return;
    // A state dict is not a model: load it into one (allowed in Restricted Mode, it runs no code).
    if (isStateDictFile(file)) await vscode.commands.executeCommand('moduleLens.loadStateDict', undefined, file);
    else await openAndShow(deps, file, false);
  };
  return [
    register(Commands.openModel, async (uri?: unknown) => openFile(fileArg(uri) ?? await pickModelFile())),
    register(Commands.openInModuleLens, async (uri?: unknown) => openFile(fileArg(uri))),
    register(Commands.openDemoModel, () => openAndShow(deps, path.join(deps.extensionPath, DEFAULT_MODEL), true)),
    register(Commands.reloadModel, async (node?: unknown) => {
      const model = await pickModel(deps.server, node, 'Reload Model');
      if (model) await openAndShow(deps, model.file, path.resolve(model.file) === path.resolve(deps.extensionPath, DEFAULT_MODEL));
    }),
    register(Commands.closeModel, async (node?: unknown) => {
      const model = await pickModel(deps.server, node, 'Close Model');
      if (model) await deps.server.closeModel(model.modelId);
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
