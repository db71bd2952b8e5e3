/**
 * The one way the extension opens a model: applies the Restricted Mode rule,
 * then asks the server. Commands and the default-model step both go through it,
 * so the rule cannot be bypassed by a second code path.
 */
import * as vscode from 'vscode';
import type { ModelInfo } from '../protocol';
import { refusalFor } from './modelFiles';
import type { ModelServer } from './serverClient';

/** Opens model files in the server. */
export class ModelOpener {
  constructor(private readonly server: ModelServer, private readonly log: vscode.LogOutputChannel) {}

  /**
   * Opens (or reloads) a model file.
   *
   * @param file - absolute path
   * @param builtin - the file is the demo shipped inside the extension
   * @returns the opened model
   * @throws Error with a one-line message when the file is refused or fails to load
   */
  async open(file: string, builtin = false): Promise<ModelInfo> {
    const refusal = refusalFor(file, vscode.workspace.isTrusted, builtin);
    if (refusal) {
      this.log.warn(refusal);
      throw new Error(refusal);
    }
    this.log.info(`Opening ${file}`);
    const model = await this.server.openModel(file);
    this.log.info(`Opened ${model.rootType} from ${file} as ${model.modelId} on ${model.backend}`);
    return model;
  }
}
