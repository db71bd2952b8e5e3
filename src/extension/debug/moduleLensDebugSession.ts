/**
 * The `module-lens` debug adapter, run inline in the extension host: hook
 * breakpoints on modules (function breakpoints named by module path, and line
 * breakpoints on the lines that create or call a sub-module), a call stack of
 * modules, tensors in the Variables view, the Debug Console evaluating in the
 * server's sandbox, and stepping from module to module. The model runs in the
 * model server; this class only translates between DAP and the server.
 */
import {
  Breakpoint, DebugSession, Handles, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent,
  TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HookKind, ModelInfo, ModuleNode, PauseLocation, ResumeMode, RunStateParams, SourceMapResult } from '../../protocol';
import type { ModelServer } from '../serverClient';
import { parseFunctionBreakpoint } from './breakpointNames';
import { variablesOf, type VarRef } from './debugVariables';

/** The launch configuration of `"type": "module-lens"`. */
export interface ModuleLensLaunchArgs extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the model file (TS/JS or model.json). */
  model: string;
  /** A `.npy` or `.json` input; default: the model file's `input()`. */
  input?: string;
  mode?: 'eval' | 'train';
  /** Also run backward with the model's loss (backward breakpoints fire). */
  backward?: boolean;
}

/** Opens a model the way the extension does (Restricted Mode rules included). */
export type OpenModel = (file: string) => Promise<ModelInfo>;

/** The server calls a debug session makes. */
export type DebugServer = Pick<ModelServer,
  'attachHook' | 'detachHook' | 'run' | 'stop' | 'resume' | 'pause' | 'evaluate' | 'getTensor' | 'getChildren' | 'listModules'
  | 'setTraining' | 'onRunState' | 'onOutput'> & { sourceMap(modelId: string): Promise<SourceMapResult> };

const THREAD = 1;

/**
 * Custom DAP request: `{variablesReference}` of a tensor variable → the panel target it
 * stands for (a captured tensor, or a parameter/buffer), for "View in Captures Panel".
 */
export const PANEL_TARGET_REQUEST = 'moduleLens/panelTarget';

export class ModuleLensDebugSession extends DebugSession {
  private model: ModelInfo | undefined;
  private sourceMap: SourceMapResult | undefined;
  private location: PauseLocation | undefined;
  private lastResume: ResumeMode | undefined;
  private readonly functionHooks = new Map<number, number>();
  private readonly lineHooks = new Map<number, number>();
  private readonly refs = new Handles<VarRef>();
  private running = false;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => { this.configured = resolve; });
  private readonly subscriptions: { dispose(): void }[] = [];
  private nextBreakpointId = 1;

  constructor(private readonly server: DebugServer, private readonly open: OpenModel) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.subscriptions.push(
      server.onRunState((s) => this.onRunState(s)),
      server.onOutput((o) => {
        if (o.hookId !== undefined && !this.functionHooks.has(o.hookId) && !this.lineHooks.has(o.hookId)) return;
        this.sendEvent(new OutputEvent(o.text, o.category));
      }),
    );
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: false,
      supportsTerminateRequest: true,
      supportsSteppingGranularity: false,
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: ModuleLensLaunchArgs): Promise<void> {
    try {
      this.model = await this.open(args.model);
      if (args.mode) await this.server.setTraining({ modelId: this.model.modelId, path: '', mode: args.mode === 'train', recursive: true });
      this.sourceMap = await this.server.sourceMap(this.model.modelId).catch(() => undefined);
    } catch (err) {
      this.sendErrorResponse(response, 1, `Module Lens: ${(err as Error).message}`);
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    const model = this.model;
    this.running = true;
    const input = args.input ? { source: 'file' as const, file: args.input } : undefined;
    this.server.run({ modelId: model.modelId, kind: args.backward ? 'backward' : 'forward', debug: true, input })
      .then((result) => {
        const text = result.state === 'failed' ? `${model.rootType} failed: ${result.error}\n`
          : `${model.rootType} run ${result.runId} ${result.state} in ${result.durationMs.toFixed(0)} ms${result.output ? `, output [${result.output.shape.join(', ')}]` : ''}\n`;
        this.sendEvent(new OutputEvent(text, result.state === 'failed' ? 'stderr' : 'console'));
      }, (err: Error) => this.sendEvent(new OutputEvent(`${err.message}\n`, 'stderr')))
      .finally(() => {
        this.running = false;
        this.sendEvent(new TerminatedEvent());
      });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    await this.clearHooks(this.functionHooks);
    const breakpoints: DebugProtocol.Breakpoint[] = [];
    for (const bp of args.breakpoints) {
      const parsed = parseFunctionBreakpoint(bp.name);
      if ('error' in parsed) {
        breakpoints.push(this.unverified(parsed.error));
        continue;
      }
      breakpoints.push(await this.attach(this.functionHooks, parsed.path, parsed.kind, bp));
    }
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    await this.clearHooks(this.lineHooks);
    const breakpoints: DebugProtocol.Breakpoint[] = [];
    const sameFile = this.sourceMap && args.source.path && samePath(args.source.path, this.sourceMap.file);
    for (const bp of args.breakpoints ?? []) {
      const line0 = bp.line - 1;
      const target = sameFile
        ? this.sourceMap!.modules.find((m) => m.callLines.includes(line0)) ?? this.sourceMap!.modules.find((m) => m.definitionLine === line0 && m.path !== '')
        : undefined;
      if (!target) {
        breakpoints.push(this.unverified(sameFile ? 'no sub-module is created or called on this line' : 'not in the model file of this session', bp.line));
        continue;
      }
      const result = await this.attach(this.lineHooks, target.path, 'forward', bp);
      result.line = bp.line;
      breakpoints.push(result);
    }
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD, this.model ? `${this.model.rootType} run` : 'model run')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const stack = this.location?.stack ?? [];
    const frames = stack.map((f, depth) => {
      const name = f.path === '' ? f.type : `${f.path.split('.').pop()} (${f.type})`;
      const frame = new StackFrame(depth, name);
      const loc = this.sourceMap?.modules.find((m) => m.path === f.path);
      // The paused module's frame points at the call that is running, when it is called twice.
      const call = depth === stack.length - 1 && this.location?.callIndex ? this.location.callIndex - 1 : 0;
      const line = loc?.callLines[Math.min(call, Math.max(0, (loc?.callLines.length ?? 1) - 1))] ?? loc?.definitionLine;
      if (this.sourceMap && this.sourceMap.modules.length > 0 && line !== undefined) {
        frame.source = new Source(this.sourceMap.file.split(/[\\/]/).pop()!, this.sourceMap.file);
        frame.line = line + 1;
        frame.column = 1;
      }
      return frame;
    }).reverse();
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    const loc = this.location;
    const frame = loc?.stack[args.frameId];
    const scopes: DebugProtocol.Scope[] = [];
    if (loc && frame && this.model) {
      const innermost = args.frameId === loc.stack.length - 1;
      const tensors = innermost ? loc.event?.tensors ?? [] : [];
      const inputs = tensors.filter((t) => t.slot.startsWith('args'));
      const outputs = tensors.filter((t) => !t.slot.startsWith('args'));
      const event = loc.event;
      if (innermost) scopes.push(new Scope('Inputs', this.refs.create({ kind: 'slots', tensors: inputs, event }), false));
      if (innermost && outputs.length) scopes.push(new Scope(loc.kind === 'backward' ? 'Gradients' : 'Output', this.refs.create({ kind: 'slots', tensors: outputs, event }), false));
      const modelId = this.model.modelId;
      scopes.push(new Scope('Parameters', this.refs.create({ kind: 'group', modelId, path: frame.path, group: 'parameters' }), false));
      scopes.push(new Scope('Buffers', this.refs.create({ kind: 'group', modelId, path: frame.path, group: 'buffers' }), false));
      scopes.push(new Scope('Module', this.refs.create({ kind: 'module', node: await this.moduleNode(frame.path), path: frame.path, type: frame.type }), false));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const ref = this.refs.get(args.variablesReference);
    try {
      response.body = { variables: ref ? await variablesOf(ref, this.server, (r) => this.refs.create(r)) : [] };
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, 2, (err as Error).message);
    }
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    if (!this.location) {
      this.sendErrorResponse(response, 3, 'Expressions are evaluated on the tensors of a paused module; the run is not paused.');
      return;
    }
    try {
      response.body = { result: await this.server.evaluate(args.expression), variablesReference: 0 };
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, 3, (err as Error).message);
    }
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command !== PANEL_TARGET_REQUEST) {
      super.customRequest(command, response, args);
      return;
    }
    const reference = (args as { variablesReference?: unknown } | undefined)?.variablesReference;
    const ref = typeof reference === 'number' ? this.refs.get(reference) : undefined;
    if (ref?.kind !== 'tensor' || !ref.panel) {
      this.sendErrorResponse(response, 4, this.location ? 'This variable is not a tensor the Captures panel can show.' : 'The run is no longer paused; the variable is gone.');
      return;
    }
    response.body = ref.panel;
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.resume('continue');
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.resume('stepOver');
    this.sendResponse(response);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.resume('stepInto');
    this.sendResponse(response);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.resume('stepOut');
    this.sendResponse(response);
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    this.lastResume = undefined;
    await this.server.pause();
    this.sendResponse(response);
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.end();
    this.sendResponse(response);
  }

  override dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    super.dispose();
  }

  private async end(): Promise<void> {
    if (this.running) await this.server.stop().catch(() => false);
    await this.clearHooks(this.functionHooks);
    await this.clearHooks(this.lineHooks);
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private resume(mode: ResumeMode): void {
    this.lastResume = mode;
    this.location = undefined;
    this.refs.reset();
    void this.server.resume(mode).catch((err: Error) => this.sendEvent(new OutputEvent(`${err.message}\n`, 'stderr')));
  }

  private onRunState(s: RunStateParams): void {
    if (!this.running || s.state !== 'paused' || s.location.modelId !== this.model?.modelId) return;
    this.location = s.location;
    const hookId = s.location.hookId;
    const bpId = hookId === null ? undefined : this.functionHooks.get(hookId) ?? this.lineHooks.get(hookId);
    const reason = bpId !== undefined ? (this.functionHooks.has(hookId!) ? 'function breakpoint' : 'breakpoint') : this.lastResume && this.lastResume !== 'continue' ? 'step' : 'pause';
    const event = new StoppedEvent(reason, THREAD) as DebugProtocol.StoppedEvent;
    event.body.description = `Paused at ${s.location.path || this.model.rootType} (${s.location.kind})`;
    if (bpId !== undefined) event.body.hitBreakpointIds = [bpId];
    this.sendEvent(event);
  }

  private async attach(into: Map<number, number>, path: string, kind: HookKind, bp: DebugProtocol.FunctionBreakpoint | DebugProtocol.SourceBreakpoint): Promise<DebugProtocol.Breakpoint> {
    if (!this.model) return this.unverified('the model is not open yet');
    const modelId = this.model.modelId;
    try {
      // `*` is one breakpoint made of a hook on every module.
      const paths = path === '*' ? (await this.server.listModules({ modelId })).modules.map((m) => m.path) : [path];
      const id = this.nextBreakpointId++;
      let message: string | undefined;
      for (const p of paths) {
        const hook = await this.server.attachHook({
          modelId, path: p, kind, breakpoint: true,
          condition: bp.condition || undefined, hitCondition: bp.hitCondition || undefined,
          logMessage: 'logMessage' in bp ? bp.logMessage || undefined : undefined,
        });
        into.set(hook.hookId, id);
        message ??= hook.message;
      }
      const result = new Breakpoint(!message) as DebugProtocol.Breakpoint;
      result.id = id;
      if (message) result.message = message;
      return result;
    } catch (err) {
      return this.unverified((err as Error).message);
    }
  }

  private unverified(message: string, line?: number): DebugProtocol.Breakpoint {
    const bp = new Breakpoint(false, line) as DebugProtocol.Breakpoint;
    bp.id = this.nextBreakpointId++;
    bp.message = message;
    return bp;
  }

  private async clearHooks(hooks: Map<number, number>): Promise<void> {
    const ids = [...hooks.keys()];
    hooks.clear();
    for (const id of ids) await this.server.detachHook(id).catch(() => false);
  }

  private async moduleNode(path: string): Promise<ModuleNode | undefined> {
    if (!this.model) return undefined;
    if (path === '') return this.model.root;
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const { items } = await this.server.getChildren({ modelId: this.model.modelId, path: parent, limit: 1000 });
    return items.find((n): n is ModuleNode => n.kind === 'module' && n.path === path);
  }
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/^([a-z]):/, (_, d: string) => `${d.toUpperCase()}:`);
  return norm(a) === norm(b);
}
