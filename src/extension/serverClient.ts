/**
 * Starts the model server (a separate Node process) and talks to it. The rest
 * of the extension sees only the {@link ModelServer} interface, so nothing else
 * knows that the transport is a language client.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  CloseModelRequest, GetChildrenRequest, ListModelsRequest, ModelsChangedNotification, OpenModelRequest,
  parseBackendPreference, ServerInfoRequest, SetTrainingRequest,
  type CloseModelResult, type GetChildrenParams, type GetChildrenResult, type ListModelsResult, type ModelInfo,
  type ModelsChangedParams, type ServerInfo, type ServerInitOptions, type SetTrainingParams, type SetTrainingResult,
} from '../protocol';

/** The model server's requests, as typed calls. */
export interface ModelServer {
  openModel(file: string): Promise<ModelInfo>;
  closeModel(modelId: string): Promise<CloseModelResult>;
  listModels(): Promise<ListModelsResult>;
  getChildren(params: GetChildrenParams): Promise<GetChildrenResult>;
  setTraining(params: SetTrainingParams): Promise<SetTrainingResult>;
  serverInfo(): Promise<ServerInfo>;
  /** Fires on the server's `modelsChanged` notification. */
  readonly onModelsChanged: vscode.Event<ModelsChangedParams>;
}

/** The {@link ModelServer} over a `vscode-languageclient` IPC connection. */
export class ModelServerClient implements ModelServer, vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly changed = new vscode.EventEmitter<ModelsChangedParams>();
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  /** {@inheritDoc ModelServer.onModelsChanged} */
  readonly onModelsChanged = this.changed.event;

  /**
   * @param serverModule - absolute path of the bundled server, `dist/server.js`
   * @param output - the "Module Lens" channel; the server's console and stderr go there too
   */
  constructor(serverModule: string, output: vscode.OutputChannel) {
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      // Under F5 the server can be attached to on this port ("Attach to Model Server").
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const initializationOptions: ServerInitOptions = {
      backend: parseBackendPreference(vscode.workspace.getConfiguration('moduleLens').get('backend')),
    };
    const clientOptions: LanguageClientOptions = {
      // No documentSelector: the server works on model files it loads itself, not on open editors.
      outputChannel: output,
      initializationOptions,
    };
    this.client = new LanguageClient('moduleLens', 'Module Lens Model Server', serverOptions, clientOptions);
    this.subscriptions.push(this.client.onNotification(ModelsChangedNotification, (p) => this.changed.fire(p)));
  }

  /** Starts the server process and completes the LSP handshake. */
  start(): Promise<void> {
    return this.client.start();
  }

  openModel(file: string): Promise<ModelInfo> {
    return this.client.sendRequest(OpenModelRequest, { file });
  }

  closeModel(modelId: string): Promise<CloseModelResult> {
    return this.client.sendRequest(CloseModelRequest, { modelId });
  }

  listModels(): Promise<ListModelsResult> {
    return this.client.sendRequest(ListModelsRequest);
  }

  getChildren(params: GetChildrenParams): Promise<GetChildrenResult> {
    return this.client.sendRequest(GetChildrenRequest, params);
  }

  setTraining(params: SetTrainingParams): Promise<SetTrainingResult> {
    return this.client.sendRequest(SetTrainingRequest, params);
  }

  serverInfo(): Promise<ServerInfo> {
    return this.client.sendRequest(ServerInfoRequest);
  }

  /** Stops the server process. */
  async dispose(): Promise<void> {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    // stop() rejects when the client never started; there is nothing left to stop then.
    await this.client.dispose().catch(() => undefined);
  }
}
