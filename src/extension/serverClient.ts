/**
 * Starts the model server (a separate Node process) and talks to it. The rest
 * of the extension sees only the {@link ModelServer} interface, so nothing else
 * knows that the transport is a language client.
 */
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type RequestType, type RequestType0, type ServerOptions } from 'vscode-languageclient/node';
import {
  AttachHookRequest, CaptureNotification, ClearCapturesRequest, EvaluateRequest, OutputNotification, PauseRequest, ReleaseTensorsRequest, SourceMapRequest, CloseModelRequest, DetachHookRequest, GetChildrenRequest,
  GetTensorRequest, ListHooksRequest, ListModelsRequest, MemoryRequest, ModelsChangedNotification, NoticeNotification,
  OpenModelRequest, parseBackendPreference, ResumeRequest, RunRequest, RunStateNotification, ServerInfoRequest,
  SetTrainingRequest, StopRequest,
  type AttachHookParams, type CaptureEvent, type CloseModelResult, type GetChildrenParams, type GetChildrenResult,
  type GetTensorParams, type GetTensorResult, type HookInfo, type ListModelsResult, type MemoryInfo, type ModelInfo,
  type ModelsChangedParams, type NoticeParams, type OutputParams, type RunParams, type RunResult, type RunStateParams, type ServerInfo,
  type ResumeMode, type ServerInitOptions, type SourceMapResult, type SetTrainingParams, type SetTrainingResult,
} from '../protocol';
import {
  ListModulesRequest, LoadStateDictRequest, SaveStateDictRequest,
  type ListModulesParams, type ListModulesResult, type LoadStateDictParams, type LoadStateDictResult, type SaveStateDictParams,
  type SaveStateDictResult,
} from '../protocol';
import { connectionLost, RestoreGate } from './restoreGate';
import { SessionState, type RestoreReport, type SendRequest } from './sessionState';

/** The model server's requests, as typed calls. */
export interface ModelServer {
  openModel(file: string): Promise<ModelInfo>;
  closeModel(modelId: string): Promise<CloseModelResult>;
  listModels(): Promise<ListModelsResult>;
  getChildren(params: GetChildrenParams): Promise<GetChildrenResult>;
  setTraining(params: SetTrainingParams): Promise<SetTrainingResult>;
  serverInfo(): Promise<ServerInfo>;
  attachHook(params: AttachHookParams): Promise<HookInfo>;
  detachHook(hookId: number): Promise<boolean>;
  listHooks(): Promise<readonly HookInfo[]>;
  run(params: RunParams): Promise<RunResult>;
  stop(): Promise<boolean>;
  resume(mode: ResumeMode): Promise<boolean>;
  getTensor(params: GetTensorParams): Promise<GetTensorResult>;
  clearCaptures(): Promise<number>;
  memory(): Promise<MemoryInfo>;
  /** Every module of a model, flat (with tensors when asked). */
  listModules(params: ListModulesParams): Promise<ListModulesResult>;
  /** Writes a model's state dict to a `.safetensors` file. */
  saveStateDict(params: SaveStateDictParams): Promise<SaveStateDictResult>;
  /** Loads a `.safetensors` state dict into an open model. */
  loadStateDict(params: LoadStateDictParams): Promise<LoadStateDictResult>;
  /** Restarts the server process with the current settings, then reopens the models and reattaches the hooks. */
  restart(): Promise<{ info: ServerInfo; report: RestoreReport }>;
  /** Evaluates an expression on the paused event's tensors (server sandbox). */
  evaluate(expression: string): Promise<string>;
  /** Asks a debug run to pause at the next module boundary. */
  pause(): Promise<boolean>;
  /** Where each module of a TS/JS model is created and called. */
  sourceMap(modelId: string): Promise<SourceMapResult>;
  /** Frees captured tensors the client no longer shows. */
  releaseTensors(tensorIds: readonly string[]): Promise<number>;
  /** Logpoint messages and breakpoint-condition errors. */
  readonly onOutput: vscode.Event<OutputParams>;
  /** Fires on the server's `modelsChanged` notification. */
  readonly onModelsChanged: vscode.Event<ModelsChangedParams>;
  /** Every hook event, as it happens. */
  readonly onCapture: vscode.Event<CaptureEvent>;
  /** Run lifecycle: running, paused, finished, failed, stopped. */
  readonly onRunState: vscode.Event<RunStateParams>;
  /** After the server process was restarted and the session restored (`interruptedRun` set when a run was cut short). */
  readonly onRestored: vscode.Event<RestoreReport & { readonly interruptedRun?: number }>;
  /** After this client attached or detached a hook (whoever asked: a view, a command, the debugger). */
  readonly onHooksChanged: vscode.Event<void>;
}

/** The {@link ModelServer} over a `vscode-languageclient` IPC connection. */
export class ModelServerClient implements ModelServer, vscode.Disposable {
  private readonly client: LanguageClient;
  private readonly changed = new vscode.EventEmitter<ModelsChangedParams>();
  private readonly captures = new vscode.EventEmitter<CaptureEvent>();
  private readonly runStates = new vscode.EventEmitter<RunStateParams>();
  private readonly restored = new vscode.EventEmitter<RestoreReport & { readonly interruptedRun?: number }>();
  private readonly outputs = new vscode.EventEmitter<OutputParams>();
  private readonly hooksChanged = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [this.changed, this.captures, this.runStates, this.restored, this.outputs, this.hooksChanged];
  private readonly session = new SessionState();
  private everRunning = false;
  /** Set while {@link restart} replaces the server on purpose, so it is not reported as a crash. */
  private restarting = false;
  /** Set once {@link dispose} began: the server stops on purpose. */
  private disposed = false;
  /** The run the server last reported as running or paused, until it reports how it ended. */
  private activeRun: { runId: number; modelId: string; started: number; events: number } | undefined;
  /** The run a crash cut short, told to the user with the restart. */
  private interrupted: RunResult | undefined;
  /** Closed from a crash (or a deliberate restart) until the session is restored. */
  private readonly gate = new RestoreGate();
  /** Sends past the gate: only the restore itself does. */
  private readonly direct: SendRequest = (type, params) => this.client.sendRequest(type.method, params);
  /** {@inheritDoc ModelServer.onModelsChanged} */
  readonly onModelsChanged = this.changed.event;
  readonly onCapture = this.captures.event;
  readonly onRunState = this.runStates.event;
  readonly onRestored = this.restored.event;
  readonly onOutput = this.outputs.event;
  readonly onHooksChanged = this.hooksChanged.event;

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
    // A function, so a restart picks up changed settings (Select Backend…).
    const initializationOptions = (): ServerInitOptions & Record<string, unknown> => {
      const config = vscode.workspace.getConfiguration('moduleLens');
      return {
        backend: parseBackendPreference(config.get('backend')),
        maxInlineElements: config.get<number>('capture.maxInlineElements', 4096),
        maxCaptureBytes: config.get<number>('capture.maxBytes', 256 * 1024 * 1024),
        histogramBins: config.get<number>('capture.histogramBins', 32),
      };
    };
    const clientOptions: LanguageClientOptions = {
      // TS/JS model files get CodeLens, hovers, inlay shapes and diagnostics; the server
      // answers only for files that are open models.
      documentSelector: [{ scheme: 'file', language: 'typescript' }, { scheme: 'file', language: 'javascript' }],
      outputChannel: output,
      initializationOptions,
    };
    this.client = new LanguageClient('moduleLens', 'Module Lens Model Server', serverOptions, clientOptions);
    this.subscriptions.push(
      this.client.onNotification(ModelsChangedNotification, (p) => this.changed.fire(p)),
      this.client.onNotification(CaptureNotification, (p) => {
        this.session.hookFired(p.hookId);
        if (this.activeRun?.runId === p.runId) this.activeRun.events++;
        this.captures.fire(p);
      }),
      this.client.onNotification(RunStateNotification, (p) => this.trackRun(p)),
      this.client.onNotification(OutputNotification, (p) => this.outputs.fire(p)),
      this.client.onNotification(NoticeNotification, (p: NoticeParams) => {
        output.appendLine(`[${p.level}] ${p.message}`);
        const show = p.level === 'error' ? vscode.window.showErrorMessage : p.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(`Module Lens: ${p.message}`);
      }),
      // The client restarts a server that crashed; bring back what the user had open, and say so once.
      this.client.onDidChangeState((e) => {
        // The process went away under a run: no runState will ever end it, so end it here.
        if (e.oldState === State.Running && !this.restarting && !this.disposed) {
          this.interruptRun();
          this.gate.close();
        }
        // The client gave up restarting it: let the held requests fail instead of waiting.
        if (e.oldState === State.Starting && e.newState === State.Stopped && !this.restarting) this.gate.open();
        if (e.newState !== State.Running) return;
        if (!this.everRunning) { this.everRunning = true; return; }
        if (this.restarting) return;
        void this.restoreAfterRestart(output);
      }),
    );
  }

  private async restoreAfterRestart(output: vscode.OutputChannel): Promise<void> {
    let report: RestoreReport;
    try {
      report = await this.session.restore(this.direct);
    } finally {
      this.gate.open();
    }
    const interrupted = this.interrupted;
    this.interrupted = undefined;
    const lost = report.failures.length ? ` Could not restore: ${report.failures.join('; ')}` : '';
    const cut = interrupted ? ` Run ${interrupted.runId} was interrupted.` : '';
    output.appendLine(`Model server restarted: restored ${report.models} model(s) and ${report.hooks} hook(s).${cut}${lost}`);
    // The one message about the crash: the interrupted run is part of it, not a second one.
    void vscode.window.showWarningMessage(
      `Module Lens: the model server stopped unexpectedly and was restarted; ${report.models} model(s) and ${report.hooks} hook(s) were restored.${cut}${lost}`);
    this.restored.fire({ ...report, ...(interrupted ? { interruptedRun: interrupted.runId } : {}) });
  }

  /** Follows the run lifecycle, so a run the server never got to end can be ended by {@link interruptRun}. */
  private trackRun(p: RunStateParams): void {
    if (p.state === 'running' && this.activeRun?.runId !== p.runId) {
      this.activeRun = { runId: p.runId, modelId: p.modelId, started: Date.now(), events: 0 };
    } else if (p.state !== 'running' && p.state !== 'paused' && this.activeRun?.runId === p.runId) {
      this.activeRun = undefined;
    }
    this.runStates.fire(p);
  }

  /**
   * Ends the active run as `stopped` with an "interrupted" error, once: the views, the panel and a
   * waiting debug session hear a last `runState` instead of waiting for one forever.
   *
   * @returns the result, or `undefined` when no run was active
   */
  private interruptRun(): RunResult | undefined {
    const run = this.activeRun;
    if (!run) return undefined;
    this.activeRun = undefined;
    const result: RunResult = {
      runId: run.runId, state: 'stopped', events: run.events, durationMs: Date.now() - run.started,
      error: 'interrupted: the model server stopped unexpectedly',
    };
    this.interrupted = result;
    this.runStates.fire({ state: 'stopped', runId: run.runId, result });
    return result;
  }

  async restart(): Promise<{ info: ServerInfo; report: RestoreReport }> {
    this.restarting = true;
    this.gate.close();
    let report: RestoreReport;
    try {
      await this.client.restart();
      report = await this.session.restore(this.direct);
    } finally {
      this.restarting = false;
      this.gate.open();
    }
    this.restored.fire(report);
    return { info: await this.serverInfo(), report };
  }

  /**
   * Sends a request once no restore is under way. A request the server died under is sent
   * again, once, to the restarted and restored server (every request but `run` can be).
   */
  private send<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  private send<R>(type: RequestType0<R, void>): Promise<R>;
  private async send<R>(type: RequestType<unknown, R, void> | RequestType0<R, void>, ...params: unknown[]): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      await this.gate.pass();
      try {
        return await (params.length ? this.client.sendRequest(type as RequestType<unknown, R, void>, params[0]) : this.client.sendRequest(type as RequestType0<R, void>));
      } catch (err) {
        if (attempt > 0 || this.disposed || this.restarting || !connectionLost(err)) throw err;
        // The crash may not have reached the client's state yet: hold requests from now on.
        this.gate.close();
      }
    }
  }

  listModules(params: ListModulesParams): Promise<ListModulesResult> {
    return this.send(ListModulesRequest, params);
  }

  saveStateDict(params: SaveStateDictParams): Promise<SaveStateDictResult> {
    return this.send(SaveStateDictRequest, params);
  }

  loadStateDict(params: LoadStateDictParams): Promise<LoadStateDictResult> {
    return this.send(LoadStateDictRequest, params);
  }

  /** Starts the server process and completes the LSP handshake. */
  start(): Promise<void> {
    return this.client.start();
  }

  async openModel(file: string): Promise<ModelInfo> {
    const info = await this.send(OpenModelRequest, { file });
    this.session.opened(info);
    return info;
  }

  async closeModel(modelId: string): Promise<CloseModelResult> {
    const result = await this.send(CloseModelRequest, { modelId });
    this.session.closed(modelId);
    return result;
  }

  async attachHook(params: AttachHookParams): Promise<HookInfo> {
    const info = await this.send(AttachHookRequest, params);
    this.session.hookAttached(info);
    this.hooksChanged.fire();
    return info;
  }

  async detachHook(hookId: number): Promise<boolean> {
    // Forget it before asking: a restore running meanwhile must not bring it back.
    this.session.hookDetached(hookId);
    const { removed } = await this.send(DetachHookRequest, { hookId });
    this.hooksChanged.fire();
    return removed;
  }

  async listHooks(): Promise<readonly HookInfo[]> {
    return (await this.send(ListHooksRequest)).hooks;
  }

  async run(params: RunParams): Promise<RunResult> {
    try {
      // Never sent twice: a run the server died in is reported, not repeated.
      await this.gate.pass();
      return await this.client.sendRequest(RunRequest, params);
    } catch (err) {
      // The connection closed under the run (the server process died): report the run as interrupted, not as a failure.
      if (!connectionLost(err) || this.disposed) throw err;
      this.gate.close();
      return this.interruptRun() ?? this.interrupted
        ?? { runId: 0, state: 'stopped', events: 0, durationMs: 0, error: 'interrupted: the model server stopped unexpectedly' };
    }
  }

  async stop(): Promise<boolean> {
    return (await this.send(StopRequest)).stopped;
  }

  async resume(mode: ResumeMode): Promise<boolean> {
    return (await this.send(ResumeRequest, { mode })).resumed;
  }

  getTensor(params: GetTensorParams): Promise<GetTensorResult> {
    return this.send(GetTensorRequest, params);
  }

  async clearCaptures(): Promise<number> {
    return (await this.send(ClearCapturesRequest)).released;
  }

  memory(): Promise<MemoryInfo> {
    return this.send(MemoryRequest);
  }

  async evaluate(expression: string): Promise<string> {
    return (await this.send(EvaluateRequest, { expression })).result;
  }

  async releaseTensors(tensorIds: readonly string[]): Promise<number> {
    return (await this.send(ReleaseTensorsRequest, { tensorIds })).released;
  }

  sourceMap(modelId: string): Promise<SourceMapResult> {
    return this.send(SourceMapRequest, { modelId });
  }

  async pause(): Promise<boolean> {
    return (await this.send(PauseRequest)).pausing;
  }

  listModels(): Promise<ListModelsResult> {
    return this.send(ListModelsRequest);
  }

  getChildren(params: GetChildrenParams): Promise<GetChildrenResult> {
    return this.send(GetChildrenRequest, params);
  }

  setTraining(params: SetTrainingParams): Promise<SetTrainingResult> {
    return this.send(SetTrainingRequest, params);
  }

  serverInfo(): Promise<ServerInfo> {
    return this.send(ServerInfoRequest);
  }

  /** Stops the server process. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const d of this.subscriptions.splice(0)) d.dispose();
    // stop() rejects when the client never started; there is nothing left to stop then.
    await this.client.dispose().catch(() => undefined);
  }
}
