/**
 * Composition root: creates the parts, wires them together and hands every
 * disposable to VS Code. Behaviour lives in the modules it imports.
 */
import * as vscode from 'vscode';
import { CapturesPanel } from './captures/capturesPanel';
import { Commands, registerCommands, reporting } from './commands';
import { registerRunCommands } from './runCommands';
import { watchModelFiles } from './modelWatcher';
import { registerDebugger } from './debug/debugConfiguration';
import { chooseDefaultModel } from './defaultModel';
import { ModelOpener } from './modelOpener';
import { ModulesTreeProvider } from './modulesTreeProvider';
import { HooksTreeProvider } from './hooksTreeProvider';
import { registerSidebarCommands, trackModelContext } from './sidebarCommands';
import type { TreeNode } from './treeItems';
import { ModelServerClient, type ModelServer } from './serverClient';
import { BackendStatusBar } from './statusBar';

/** What `activate()` returns to other extensions and to the integration tests. */
export interface ModuleLensApi {
  /** The data provider behind the Modules view. */
  readonly modulesTree: ModulesTreeProvider;
  /** The data provider behind the Hooks view (its `setEnabled` is what the checkboxes call). */
  readonly hooksTree: HooksTreeProvider;
  /** Resolves once the model server is up and the default model is open; rejects with the reason otherwise. */
  readonly ready: Promise<void>;
  /** The model server's requests and events (for tests and other extensions). */
  readonly server: ModelServer;
  /** The Captures panel (its event log, for tests). */
  readonly captures: CapturesPanel;
  /** What the backend status-bar item shows. */
  readonly backendStatus: { readonly text: string; readonly tooltip: string };
}

/** Called by VS Code on the first activation event. */
export function activate(context: vscode.ExtensionContext): ModuleLensApi {
  const output = vscode.window.createOutputChannel('Module Lens', { log: true });
  const server = new ModelServerClient(context.asAbsolutePath('dist/server.js'), output);
  const modulesTree = new ModulesTreeProvider(server, output);
  const treeView = vscode.window.createTreeView<TreeNode>('moduleLens.modules', { treeDataProvider: modulesTree, showCollapseAll: true });
  const hooksTree = new HooksTreeProvider(server, output);
  const hooksView = vscode.window.createTreeView('moduleLens.hooks', { treeDataProvider: hooksTree, manageCheckboxStateManually: true });
  const modelContext = trackModelContext(server, output);
  const opener = new ModelOpener(server, output);
  const status = new BackendStatusBar(Commands.showLog);
  const captures = new CapturesPanel(context.extensionUri, server, output);
  context.subscriptions.push(
    output, server, modulesTree, treeView, status, captures,
    ...registerCommands({ server, opener, tree: modulesTree, treeView, output, extensionPath: context.extensionPath }),
    ...registerRunCommands(server, reporting),
    watchModelFiles(server, opener, output),
    hooksTree, hooksView, modelContext.subscription,
    hooksTree.onDidChangeHooks((hooks) => modulesTree.setHooks(hooks)),
    ...registerSidebarCommands({ server, modulesTree, modulesView: treeView, hooksTree, status, output }, hooksView, reporting),
    ...registerDebugger(server, (file) => opener.open(file)),
    // A server the client restarted after a crash is a new process: show its pid and backend.
    server.onRestored(() => void server.serverInfo().then((info) => status.show(info), () => undefined)),
  );

  const ready = (async () => {
    await server.start();
    status.show(await server.serverInfo());
    const choice = chooseDefaultModel(
      (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), context.extensionPath, vscode.workspace.isTrusted);
    if (choice.note) output.info(choice.note);
    await opener.open(choice.file, choice.builtin);
    await Promise.all([modelContext.update(), hooksTree.refresh()]);
  })();
  // Report here so a failed start is visible even when no caller awaits `ready`.
  ready.catch((err: Error) => {
    status.failed(err.message);
    output.error(`Startup failed: ${err.message}`);
  });
  return { modulesTree, hooksTree, ready, server, captures, backendStatus: status };
}

/** Nothing to do: every resource is in `context.subscriptions`, which VS Code disposes. */
export function deactivate(): void {}
