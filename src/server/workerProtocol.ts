/**
 * Messages between the model server's main thread (which speaks JSON-RPC to
 * the extension) and its engine worker (which owns tfjs, the models, hooks and
 * runs). Internal to the server: the extension never sees these.
 */
import type {
  AttachHookParams, CaptureEvent, GetTensorParams, GetTensorResult, HookInfo, MemoryInfo, ModuleNode,
  BufferNode, LoadStateDictParams, OutputParams, ResumeMode, LoadStateDictResult, ParameterNode, RunParams, RunResult, RunStateParams, ServerInfo, SetTrainingParams,
} from '../protocol';
import type { ModelInputInfo, SaveStateDictParams, SaveStateDictResult, TensorStats } from '../protocol';

/** One module of a model snapshot: its row, its children's names and its tensors. */
export interface ModuleSnapshot {
  readonly node: ModuleNode;
  readonly children: readonly string[];
  readonly parameters: readonly ParameterNode[];
  readonly buffers: readonly BufferNode[];
}

/**
 * The structure of an open model, sent to the main thread after every change,
 * so the tree can be served while the worker is busy running or paused.
 */
export interface ModelSnapshot {
  readonly modelId: string;
  readonly file: string;
  readonly rootType: string;
  readonly repr: string;
  /** What a run can feed the model when the caller names no input. */
  readonly input?: ModelInputInfo;
  /** Every module, depth first, parents before children; a shared module under each of its names. */
  readonly modules: readonly ModuleSnapshot[];
}

/** Fresh statistics of one parameter or buffer (by its dotted name), sent after a run instead of a whole snapshot. */
export interface TensorStatsPatch {
  readonly path: string;
  readonly stats: TensorStats;
  /** A parameter's gradient, when it has one. */
  readonly grad?: TensorStats;
}

/** Options the worker starts with. */
export interface WorkerInit {
  readonly backend?: string;
  readonly maxInlineElements: number;
  readonly maxCaptureBytes: number;
  readonly histogramBins: number;
  /** Shared flag the main thread bumps to wake a paused worker. */
  readonly signal: SharedArrayBuffer;
}

/** A call the main thread makes, with its result type in {@link WorkerResults}. */
export type WorkerCall =
  | { readonly method: 'open'; readonly params: { readonly modelId: string; readonly file: string } }
  | { readonly method: 'close'; readonly params: { readonly modelId: string } }
  | { readonly method: 'setTraining'; readonly params: SetTrainingParams }
  | { readonly method: 'attachHook'; readonly params: AttachHookParams & { readonly hookId: number } }
  | { readonly method: 'detachHook'; readonly params: { readonly hookId: number } }
  | { readonly method: 'run'; readonly params: RunParams & { readonly runId: number } }
  | { readonly method: 'getTensor'; readonly params: GetTensorParams }
  | { readonly method: 'clearCaptures'; readonly params: Record<string, never> }
  | { readonly method: 'memory'; readonly params: Record<string, never> }
  | { readonly method: 'loadStateDict'; readonly params: LoadStateDictParams }
  | { readonly method: 'saveStateDict'; readonly params: SaveStateDictParams }
  | { readonly method: 'evaluate'; readonly params: { readonly expression: string } }
  | { readonly method: 'releaseTensors'; readonly params: { readonly tensorIds: readonly string[] } };

/** Result type of each {@link WorkerCall} method. */
export interface WorkerResults {
  open: { readonly snapshot: ModelSnapshot; readonly hooks: readonly HookInfo[] };
  close: { readonly closed: boolean };
  setTraining: { readonly changed: number; readonly snapshot: ModelSnapshot };
  attachHook: HookInfo;
  detachHook: { readonly removed: boolean };
  /** The run's result, and fresh statistics of the model's tensors when it is still open. */
  run: RunResult & { readonly stats?: readonly TensorStatsPatch[] };
  getTensor: GetTensorResult;
  clearCaptures: { readonly released: number };
  memory: MemoryInfo;
  loadStateDict: LoadStateDictResult & { readonly snapshot: ModelSnapshot };
  saveStateDict: SaveStateDictResult;
  evaluate: { readonly result: string };
  releaseTensors: { readonly released: number };
}

/** Calls the worker also answers while paused at a breakpoint. */
export const CALLS_WHILE_PAUSED: ReadonlySet<WorkerCall['method']> = new Set(['getTensor', 'memory', 'detachHook', 'evaluate']);

/** Main → worker. `control` messages go over the pause channel. */
export type MainToWorker =
  | { readonly type: 'call'; readonly id: number; readonly call: WorkerCall }
  | { readonly type: 'resume'; readonly mode: ResumeMode }
  | { readonly type: 'stop' };

/** A failed call: one line, and the server error code when there is one. */
export interface WorkerError {
  readonly message: string;
  readonly code?: number;
}

/** Worker → main. */
export type WorkerToMain =
  | { readonly type: 'ready'; readonly info: ServerInfo }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: WorkerError }
  | { readonly type: 'capture'; readonly event: CaptureEvent }
  | { readonly type: 'runState'; readonly params: RunStateParams }
  | { readonly type: 'hookHits'; readonly hookId: number; readonly hits: number }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'output'; readonly params: OutputParams };

/** The index in the shared signal that a paused worker waits on. */
export const SIGNAL_INDEX = 0;

/** The index the main thread sets to ask a debug run to pause at the next module boundary. */
export const PAUSE_REQUEST_INDEX = 1;

/** Size of the shared signal buffer (two int32 slots). */
export const SIGNAL_BYTES = 8;
