/**
 * Reloads a model when its file is saved (setting `moduleLens.autoReload`).
 * The server reloads under the same model id and moves hooks to the new
 * modules by path; hooks whose module is gone are reported by the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelOpener } from './modelOpener';
import type { ModelServer } from './serverClient';

/** Watches saves of open model files (a `model.json`'s shards count as the model too). */
export function watchModelFiles(server: ModelServer, opener: ModelOpener, log: vscode.LogOutputChannel): vscode.Disposable {
  const reload = async (saved: string) => {
    if (!vscode.workspace.getConfiguration('moduleLens').get<boolean>('autoReload', true)) return;
    const models = (await server.listModels()).models;
    const model = models.find((m) => m.file === saved || (path.basename(m.file) === 'model.json' && path.dirname(m.file) === path.dirname(saved)));
    if (!model) return;
    log.info(`${saved} changed: reloading ${model.rootType}`);
    try {
      await opener.open(model.file);
    } catch (err) {
      void vscode.window.showErrorMessage(`Module Lens: ${(err as Error).message}`);
    }
  };
  return vscode.workspace.onDidSaveTextDocument((doc) => void reload(doc.uri.fsPath));
}
