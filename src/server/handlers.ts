/**
 * Binds the protocol's requests to the model directory and the worker host.
 * Every handler validates its params first and turns every failure into an
 * error reply, so no message a client sends can take the server down.
 */
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import {
  AttachHookRequest, ClearCapturesRequest, EvaluateRequest, PauseRequest, ReleaseTensorsRequest, SourceMapRequest, CloseModelRequest, DEFAULT_PAGE_SIZE, DetachHookRequest, GetChildrenRequest,
  GetTensorRequest, ListHooksRequest, LoadStateDictRequest, ListModelsRequest, MemoryRequest, OpenModelRequest, ResumeRequest, RunRequest,
  ServerErrorCodes, ServerInfoRequest, SetTrainingRequest, StopRequest,
  validateAttachHookParams, validateCloseModelParams, validateEvaluateParams, validateReleaseTensorsParams, validateDetachHookParams, validateGetChildrenParams,
  validateGetTensorParams, validateLoadStateDictParams, validateOpenModelParams, validateResumeParams, validateRunParams, validateSetTrainingParams,
  type AttachHookParams, type CloseModelParams, type EvaluateParams, type ReleaseTensorsParams, type SourceMapParams, type DetachHookParams, type GetChildrenParams, type GetTensorParams,
  type LoadStateDictParams, type OpenModelParams, type ResumeParams, type RunParams, type ServerInfo, type SetTrainingParams,
} from '../protocol';
import {
  ListModulesRequest, SaveStateDictRequest, validateListModulesParams, validateSaveStateDictParams,
  type ListModulesParams, type SaveStateDictParams,
} from '../protocol';
import type { ModelDirectory } from './modelDirectory';
import type { LanguageFeatures } from './language/languageFeatures';
import { ServerError } from './serverError';
import type { WorkerHost } from './workerHost';

/** The error reply for a failure: its code when it is a {@link ServerError}, else an internal error. */
export function toResponseError(err: unknown): ResponseError<void> {
  if (err instanceof ServerError) return new ResponseError(err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new ResponseError(ErrorCodes.InternalError, message.split('\n')[0] || 'internal error');
}

/**
 * Wraps a handler: params that fail `validate` get an `InvalidParams` reply,
 * a thrown error gets {@link toResponseError}.
 */
function checked<P, R>(validate: (p: unknown) => string | undefined, handler: (p: P) => R | Promise<R>) {
  return async (params: P): Promise<R | ResponseError<void>> => {
    const problem = validate(params);
    if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem);
    try {
      return await handler(params);
    } catch (err) {
      return toResponseError(err);
    }
  };
}

/** Wraps a handler without params. */
function guarded<R>(handler: () => R | Promise<R>) {
  return async (): Promise<R | ResponseError<void>> => {
    try {
      return await handler();
    } catch (err) {
      return toResponseError(err);
    }
  };
}

/** What the handlers need beyond the directory. */
export interface HandlerContext {
  readonly directory: ModelDirectory;
  readonly host: WorkerHost;
  /** Resolves once the first worker has chosen a backend. */
  readonly ready: Promise<ServerInfo>;
  /** The editor features, told about loads and runs. */
  readonly features?: LanguageFeatures;
  /** Stops the active run within 1 s; replaces the worker when it had to be killed. */
  stop(): Promise<boolean>;
}

/** Registers every request handler. */
export function registerHandlers(connection: Connection, ctx: HandlerContext): void {
  const ready = ctx.ready;
  connection.onRequest(ServerInfoRequest, () => ready);
  connection.onRequest(ListModelsRequest, guarded(async () => {
    await ready;
    return { models: ctx.directory.list() };
  }));
  connection.onRequest(OpenModelRequest, checked(validateOpenModelParams, async (p: OpenModelParams) => {
    await ready;
    try {
      const info = await ctx.directory.open(p.file, p.modelId);
      ctx.features?.loaded(info.file);
      return info;
    } catch (err) {
      if (err instanceof ServerError && err.code === ServerErrorCodes.loadFailed) ctx.features?.loadFailed(p.file, err.message);
      throw err;
    }
  }));
  connection.onRequest(CloseModelRequest, checked(validateCloseModelParams, async (p: CloseModelParams) => ({ closed: await ctx.directory.close(p.modelId) })));
  connection.onRequest(GetChildrenRequest, checked(validateGetChildrenParams, (p: GetChildrenParams) =>
    ctx.directory.children({ ...p, offset: p.offset ?? 0, limit: p.limit ?? DEFAULT_PAGE_SIZE })));
  connection.onRequest(SetTrainingRequest, checked(validateSetTrainingParams, (p: SetTrainingParams) => ctx.directory.setTraining(p)));
  connection.onRequest(AttachHookRequest, checked(validateAttachHookParams, (p: AttachHookParams) => ctx.directory.attachHook(p)));
  connection.onRequest(DetachHookRequest, checked(validateDetachHookParams, async (p: DetachHookParams) => ({ removed: await ctx.directory.detachHook(p.hookId) })));
  connection.onRequest(LoadStateDictRequest, checked(validateLoadStateDictParams, (p: LoadStateDictParams) => ctx.directory.loadStateDict(p)));
  connection.onRequest(ListHooksRequest, guarded(() => ({ hooks: ctx.directory.listHooks() })));
  connection.onRequest(RunRequest, checked(validateRunParams, async (p: RunParams) => {
    const result = await ctx.directory.run(p);
    ctx.features?.runFinished(p.modelId, result);
    return result;
  }));
  connection.onRequest(StopRequest, guarded(async () => ({ stopped: await ctx.stop() })));
  connection.onRequest(ResumeRequest, checked(validateResumeParams, (p: ResumeParams) => {
    if (ctx.host.paused === undefined) throw new ServerError(ServerErrorCodes.busy, 'no run is paused');
    return { resumed: ctx.host.resume(p.mode) };
  }));
  connection.onRequest(EvaluateRequest, checked(validateEvaluateParams, (p: EvaluateParams) => {
    if (ctx.host.paused === undefined) throw new ServerError(ServerErrorCodes.busy, 'expressions can be evaluated while a run is paused');
    return ctx.host.call({ method: 'evaluate', params: { expression: p.expression } });
  }));
  connection.onRequest(SourceMapRequest, checked(validateCloseModelParams, (p: SourceMapParams) => ctx.directory.sourceMap(p.modelId)));
  connection.onRequest(ReleaseTensorsRequest, checked(validateReleaseTensorsParams, (p: ReleaseTensorsParams) =>
    ctx.host.call({ method: 'releaseTensors', params: { tensorIds: p.tensorIds } })));
  connection.onRequest(PauseRequest, guarded(() => ({ pausing: ctx.host.requestPause() })));
  connection.onRequest(GetTensorRequest, checked(validateGetTensorParams, (p: GetTensorParams) => {
    if (ctx.host.busy && ctx.host.paused === undefined) {
      throw new ServerError(ServerErrorCodes.busy, 'tensor values are available when the run pauses or ends');
    }
    return ctx.host.call({ method: 'getTensor', params: p });
  }));
  connection.onRequest(ClearCapturesRequest, guarded(() => {
    if (ctx.host.busy) throw new ServerError(ServerErrorCodes.busy, 'captures can be cleared once the run ends');
    return ctx.host.call({ method: 'clearCaptures', params: {} });
  }));
  connection.onRequest(MemoryRequest, guarded(() => {
    if (ctx.host.busy && ctx.host.paused === undefined) throw new ServerError(ServerErrorCodes.busy, 'memory is reported when the run pauses or ends');
    return ctx.host.call({ method: 'memory', params: {} });
  }));
  // The sidebar's requests: a flat module listing (pickers, the state dict view) and Export State Dict.
  connection.onRequest(ListModulesRequest, checked(validateListModulesParams, (p: ListModulesParams) => ctx.directory.modules(p)));
  connection.onRequest(SaveStateDictRequest, checked(validateSaveStateDictParams, (p: SaveStateDictParams) => ctx.directory.saveStateDict(p)));
}
