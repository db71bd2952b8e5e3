/**
 * Hooks, runs, captures and tensors: the part of the protocol that makes the
 * model server a debugger. Plain JSON shapes and `vscode-jsonrpc` message
 * constants, shared by the server, the extension and (types only) the webview.
 */
import { NotificationType, ParameterStructures, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** Where a hook sits, as PyTorch names them: before `forward`, after it, or in backward. */
export type HookKind = 'pre' | 'forward' | 'backward';

/** All values of {@link HookKind}. */
export const HOOK_KINDS: readonly HookKind[] = ['pre', 'forward', 'backward'];

/** Statistics of a tensor, computed on the backend in one read. Over finite values; `std` is unbiased. */
export interface TensorStats {
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly nan: number;
  readonly inf: number;
  readonly zeros: number;
}

/** A captured tensor as the panel and tree see it. */
export interface TensorSummaryJson {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly size: number;
  readonly stats: TensorStats;
  /** `bins` counts over [min, max]. */
  readonly histogram: { readonly min: number; readonly max: number; readonly counts: readonly number[] } | null;
  /** The flat values when the tensor has at most `maxInlineElements` elements. */
  readonly values?: readonly number[];
}

/** One tensor of a hook event, named as PyTorch's hook arguments: `args[0]`, `output`, `gradInput[0]`, `gradOutput[0]`. */
export interface CapturedTensor {
  readonly slot: string;
  /** Id to fetch values by range with `getTensor`, while the server keeps the tensor. */
  readonly tensorId: string | null;
  readonly summary: TensorSummaryJson | null;
}

/** `moduleLens/capture`: one hook event (server → client). */
export interface CaptureEvent {
  readonly runId: number;
  /** Order of the event within its run, from 1. */
  readonly seq: number;
  readonly modelId: string;
  readonly path: string;
  readonly kind: HookKind;
  /** The hook that captured it. */
  readonly hookId: number;
  /** Time since the run started, in ms. */
  readonly atMs: number;
  readonly tensors: readonly CapturedTensor[];
}

/** A hook as the server holds it. */
export interface HookInfo {
  readonly hookId: number;
  readonly modelId: string;
  readonly path: string;
  readonly kind: HookKind;
  /** A breakpoint pauses the run when it fires; a plain hook only captures. */
  readonly breakpoint: boolean;
  readonly enabled: boolean;
  readonly hits: number;
  /** Breakpoint condition, a JS expression over `args`, `output`, `gradInput`, `gradOutput`. */
  readonly condition?: string;
  /** Hit condition: `>= 3`, `% 10`, `== 2` or a bare count. */
  readonly hitCondition?: string;
  /** Logpoint message with `{expression}` parts; a logpoint logs instead of stopping. */
  readonly logMessage?: string;
  /** Why the breakpoint cannot work as set (a condition that does not compile), shown at the breakpoint. */
  readonly message?: string;
  /** Set when the module disappeared on a reload: the hook is kept but cannot fire. */
  readonly missing?: boolean;
}

/** `moduleLens/attachHook`. */
export interface AttachHookParams {
  readonly modelId: string;
  readonly path: string;
  readonly kind: HookKind;
  readonly breakpoint?: boolean;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
  /** Restores a hook under a known id (after a server restart); new hooks omit it. */
  readonly hookId?: number;
  /** Restores a hook's hit count (after a server or worker restart), so hit conditions and the Hooks view carry on from it; new hooks omit it (0). */
  readonly hits?: number;
}

/** `moduleLens/detachHook`. */
export interface DetachHookParams {
  readonly hookId: number;
}

/** Where a run's input comes from: the model file's `input()` (default), a `.npy`/`.json` file, or random with a shape. */
export type RunInput =
  | { readonly source: 'default' }
  | { readonly source: 'file'; readonly file: string }
  | { readonly source: 'random'; readonly shape: readonly number[] };

/** `moduleLens/run`: forward, or forward and backward with the model's `loss`. Resolves when the run ends. */
export interface RunParams {
  readonly modelId: string;
  readonly kind: 'forward' | 'backward';
  readonly input?: RunInput;
  /** A debug session: the run can be paused at the next module boundary (`pause`). */
  readonly debug?: boolean;
}

/** How a run ended. */
export interface RunResult {
  readonly runId: number;
  readonly state: 'finished' | 'failed' | 'stopped';
  readonly output?: TensorSummaryJson | null;
  /** `loss` for backward runs. */
  readonly loss?: number;
  /** One line, naming the module path and input shapes when a forward failed. */
  readonly error?: string;
  readonly events: number;
  readonly durationMs: number;
  /** The module whose forward failed (dotted path, '' for the root), when a forward failed. */
  readonly errorPath?: string;
  /** Every module call's output shape in call order, and whether it held NaN/Inf (for inlay hints). */
  readonly trace?: readonly ModuleTrace[];
}

/** One module call of a run, as the editor shows it after the call. */
export interface ModuleTrace {
  readonly path: string;
  readonly shape: readonly number[] | null;
  readonly nonFinite: boolean;
}

/** Where a paused run stands. */
export interface PauseLocation {
  readonly modelId: string;
  readonly path: string;
  readonly kind: HookKind;
  readonly hookId: number | null;
  /** Modules from the root down to the paused one (`''` first). */
  readonly stack: readonly { readonly path: string; readonly type: string }[];
  /** The event captured at the pause (its tensors can be fetched while paused). */
  readonly event: CaptureEvent | null;
  /** Which call of this module in the run (1 for the first), for a module called more than once. */
  readonly callIndex?: number;
}

/** `moduleLens/runState` (server → client). */
export type RunStateParams =
  | { readonly state: 'running'; readonly runId: number; readonly modelId: string; readonly kind: 'forward' | 'backward' }
  | { readonly state: 'paused'; readonly runId: number; readonly location: PauseLocation }
  | { readonly state: 'finished' | 'failed' | 'stopped'; readonly runId: number; readonly result: RunResult };

/**
 * `moduleLens/resume`: leave a pause. `stepInto` (or `step`) pauses at the next
 * module boundary, `stepOver` at the next one not deeper than here, `stepOut`
 * at the parent's forward hook.
 */
export interface ResumeParams {
  readonly mode: ResumeMode;
}

/** How to leave a pause. */
export type ResumeMode = 'continue' | 'step' | 'stepInto' | 'stepOver' | 'stepOut';

/** All values of {@link ResumeMode}. */
export const RESUME_MODES: readonly ResumeMode[] = ['continue', 'step', 'stepInto', 'stepOver', 'stepOut'];

/** `moduleLens/evaluate`: an expression over the paused event's tensors, in the server's sandbox. */
export interface EvaluateParams {
  readonly expression: string;
}

/** The value of an evaluated expression: tensors printed as PyTorch prints them, other values as JSON. */
export interface EvaluateResult {
  readonly result: string;
}

/** `moduleLens/output` (server → client): logpoint messages and breakpoint condition errors. */
export interface OutputParams {
  readonly category: 'console' | 'stderr';
  readonly text: string;
  readonly hookId?: number;
}

/** `moduleLens/getTensor`: a captured tensor, or a parameter/buffer by dotted name, with values in `[start, end)`. */
export type GetTensorParams =
  | { readonly tensorId: string; readonly start?: number; readonly end?: number }
  | { readonly modelId: string; readonly name: string; readonly start?: number; readonly end?: number };

/** Values of one range of a tensor, flattened in row-major order. */
export interface GetTensorResult {
  readonly summary: TensorSummaryJson;
  readonly start: number;
  readonly values: readonly number[];
}

/** `moduleLens/memory`: the worker's `tf.memory()` and captured-tensor store, for leak checks. */
export interface MemoryInfo {
  readonly numTensors: number;
  readonly numBytes: number;
  readonly capturedTensors: number;
  readonly capturedBytes: number;
}

/** `moduleLens/notice` (server → client): something the user should hear about once, e.g. a worker restart. */
export interface NoticeParams {
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
}

/** `moduleLens/loadStateDict`: copy a `.safetensors` state dict into an open model, as `load_state_dict`. */
export interface LoadStateDictParams {
  readonly modelId: string;
  /** Absolute path of a `.safetensors` file. */
  readonly file: string;
  /** Missing or unexpected keys fail (default true); shape mismatches always fail. */
  readonly strict?: boolean;
}

/** What `loadStateDict` reports, as PyTorch's `_IncompatibleKeys`. */
export interface LoadStateDictResult {
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
}

/** `moduleLens/saveStateDict`: write an open model's `state_dict()` to a `.safetensors` file. */
export interface SaveStateDictParams {
  readonly modelId: string;
  /** Absolute path of the `.safetensors` file to write (replaced if it exists). */
  readonly file: string;
}

/** What `saveStateDict` wrote. */
export interface SaveStateDictResult {
  /** Number of tensors (state dict keys) written. */
  readonly tensors: number;
  /** Size of the file in bytes. */
  readonly bytes: number;
}

/** `moduleLens/sourceMap`: where each module of a TS/JS model is created and called (0-based lines). */
export interface SourceMapParams {
  readonly modelId: string;
}

/** One module's places in the model file. */
export interface ModuleSourceLocation {
  readonly path: string;
  readonly definitionLine?: number;
  readonly callLines: readonly number[];
  /** For each call line, the character where the call expression ends (inlay hints go there). */
  readonly callEnds?: readonly number[];
  /** Every occurrence of a name bound to this module (`const fc = new nn.Linear(…)`, then `fc`), 0-based. */
  readonly references?: readonly { readonly line: number; readonly start: number; readonly end: number }[];
}

/** The model file and its module locations (empty for model.json). */
export interface SourceMapResult {
  readonly file: string;
  readonly modules: readonly ModuleSourceLocation[];
}

/** Most values one `getTensor` reply carries. */
export const MAX_TENSOR_PAGE = 1 << 20;

export const RunMethods = {
  attachHook: 'moduleLens/attachHook',
  detachHook: 'moduleLens/detachHook',
  listHooks: 'moduleLens/listHooks',
  run: 'moduleLens/run',
  stop: 'moduleLens/stop',
  resume: 'moduleLens/resume',
  getTensor: 'moduleLens/getTensor',
  clearCaptures: 'moduleLens/clearCaptures',
  memory: 'moduleLens/memory',
  evaluate: 'moduleLens/evaluate',
  sourceMap: 'moduleLens/sourceMap',
  pause: 'moduleLens/pause',
  output: 'moduleLens/output',
  loadStateDict: 'moduleLens/loadStateDict',
  releaseTensors: 'moduleLens/releaseTensors',
  saveStateDict: 'moduleLens/saveStateDict',
  capture: 'moduleLens/capture',
  runState: 'moduleLens/runState',
  notice: 'moduleLens/notice',
} as const;

const byName = ParameterStructures.byName;

/** Attach a capture hook or a hook breakpoint; replies with the hook. */
export const AttachHookRequest = new RequestType<AttachHookParams, HookInfo, void>(RunMethods.attachHook, byName);
/** Remove a hook; replies whether it existed. */
export const DetachHookRequest = new RequestType<DetachHookParams, { readonly removed: boolean }, void>(RunMethods.detachHook, byName);
/** Every hook, in attach order. */
export const ListHooksRequest = new RequestType0<{ readonly hooks: readonly HookInfo[] }, void>(RunMethods.listHooks);
/** Run a model; refused while another run is active. */
export const RunRequest = new RequestType<RunParams, RunResult, void>(RunMethods.run, byName);
/** Stop the active run (within 1 s, even a runaway one). */
export const StopRequest = new RequestType0<{ readonly stopped: boolean }, void>(RunMethods.stop);
/** Leave a pause. */
export const ResumeRequest = new RequestType<ResumeParams, { readonly resumed: boolean }, void>(RunMethods.resume, byName);
/** Fetch tensor values by range. */
export const GetTensorRequest = new RequestType<GetTensorParams, GetTensorResult, void>(RunMethods.getTensor, byName);
/** Release every captured tensor. */
export const ClearCapturesRequest = new RequestType0<{ readonly released: number }, void>(RunMethods.clearCaptures);
/** Worker memory, for leak checks. */
export const MemoryRequest = new RequestType0<MemoryInfo, void>(RunMethods.memory);
/** Load a `.safetensors` state dict into an open model. */
export const LoadStateDictRequest = new RequestType<LoadStateDictParams, LoadStateDictResult, void>(RunMethods.loadStateDict, byName);
/** Evaluate an expression while paused. */
export const EvaluateRequest = new RequestType<EvaluateParams, EvaluateResult, void>(RunMethods.evaluate, byName);
/** Module locations in a TS/JS model file. */
export const SourceMapRequest = new RequestType<SourceMapParams, SourceMapResult, void>(RunMethods.sourceMap, byName);
/** Pause a debug run at the next module boundary. */
export const PauseRequest = new RequestType0<{ readonly pausing: boolean }, void>(RunMethods.pause);
/** Logpoints and condition errors. */
export const OutputNotification = new NotificationType<OutputParams>(RunMethods.output);
/** Write an open model's state dict to a `.safetensors` file. */
export const SaveStateDictRequest = new RequestType<SaveStateDictParams, SaveStateDictResult, void>(RunMethods.saveStateDict, byName);
/** `moduleLens/releaseTensors`: the client no longer shows these captured tensors; the server frees them. */
export interface ReleaseTensorsParams {
  readonly tensorIds: readonly string[];
}

/** Free captured tensors the client has evicted. */
export const ReleaseTensorsRequest = new RequestType<ReleaseTensorsParams, { readonly released: number }, void>(RunMethods.releaseTensors, byName);
/** Hook events as they happen. */
export const CaptureNotification = new NotificationType<CaptureEvent>(RunMethods.capture);
/** Run lifecycle. */
export const RunStateNotification = new NotificationType<RunStateParams>(RunMethods.runState);
/** One-off messages for the user. */
export const NoticeNotification = new NotificationType<NoticeParams>(RunMethods.notice);
