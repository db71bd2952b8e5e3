/**
 * The one way the extension opens a model: applies the Restricted Mode rule,
 * then asks the server. Commands and the default-model step both go through it,
 * so the rule cannot be bypassed by a second code path.
 */
import * as vscode from 'vscode';
import type { ModelInfo } from '../protocol';
import { isCodeModelFile, refusalFor } from './modelFiles';
import type { ModelServer } from './serverClient';

/** The file was refused before reaching the server (Restricted Mode, or not a model file). */
export class ModelRefusedError extends Error {
  /** @param needsTrust - trusting the workspace would allow the file */
  constructor(message: string, readonly needsTrust: boolean) {
    super(message);
    this.name = 'ModelRefusedError';
  }
}

/** Opens model files in the server. */
export class ModelOpener {
  constructor(private readonly server: ModelServer, private readonly log: vscode.LogOutputChannel) {}

  /**
   * Opens (or reloads) a model file.
   *
   * @param file - absolute path
   * @param builtin - the file is the demo shipped inside the extension
   * @returns the opened model
   * @throws ModelRefusedError when the file may not be opened; Error with a one-line message when it fails to load
   */
  async open(file: string, builtin = false): Promise<ModelInfo> {
    const refusal = refusalFor(file, vscode.workspace.isTrusted, builtin);
    if (refusal) {
      this.log.warn(refusal);
      throw new ModelRefusedError(refusal, isCodeModelFile(file) && !vscode.workspace.isTrusted);
    }
    this.log.info(`Opening ${file}`);
    const model = await this.server.openModel(file);
    this.log.info(`Opened ${model.rootType} from ${file} as ${model.modelId} on ${model.backend}`);
    return model;
  }
}
