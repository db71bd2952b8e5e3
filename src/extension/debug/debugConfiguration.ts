/**
 * F5 on a model file works without a launch.json: the provider fills in a
 * `module-lens` launch of the active TS/JS file, and offers it as the initial
 * configuration. The adapter itself runs inline in the extension host.
 */
import * as vscode from 'vscode';
import { MODEL_FILE_EXTENSIONS } from '../modelFiles';
import { ModuleLensDebugSession, type DebugServer, type OpenModel } from './moduleLensDebugSession';
import { registerViewInPanel } from './viewInPanel';

/** The debug type contributed in package.json. */
export const DEBUG_TYPE = 'module-lens';

function activeModelFile(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file') return undefined;
  const ext = doc.fileName.split('.').pop() ?? '';
  return MODEL_FILE_EXTENSIONS.includes(ext) ? doc.fileName : undefined;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: 'launch', name: 'Debug model (Module Lens)', model: '${file}' }];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const file = activeModelFile();
      if (!file) {
        void vscode.window.showInformationMessage('Module Lens: open a model file (.ts, .js or model.json) to debug it.');
        return undefined;
      }
      return { type: DEBUG_TYPE, request: 'launch', name: 'Debug model (Module Lens)', model: file };
    }
    if (!config.model) {
      void vscode.window.showErrorMessage('Module Lens: the launch configuration needs "model", the path of the model file.');
      return undefined;
    }
    return config;
  }
}

/** Command that debugs a model file (the ⚑ Debug CodeLens, and the palette with the active file). */
export const DEBUG_MODEL_COMMAND = 'moduleLens.debugModel';

/** Registers the inline adapter, the configuration provider, and the Debug Model and View in Captures Panel commands. */
export function registerDebugger(server: DebugServer, open: OpenModel): vscode.Disposable[] {
  return [
    registerViewInPanel(DEBUG_TYPE),
    vscode.commands.registerCommand(DEBUG_MODEL_COMMAND, async (file?: unknown) => {
      const model = typeof file === 'string' ? file : file instanceof vscode.Uri ? file.fsPath : activeModelFile();
      if (!model) {
        void vscode.window.showInformationMessage('Module Lens: open a model file to debug it.');
        return;
      }
      await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], { type: DEBUG_TYPE, request: 'launch', name: 'Debug model (Module Lens)', model });
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new ModuleLensDebugSession(server, open)),
    }),
  ];
}
