/**
 * The requests and notifications between the extension (client) and the model
 * server, as JSON-RPC method names, parameter/result interfaces and typed
 * `RequestType`/`NotificationType` constants. Both sides send and handle them
 * through these constants only, so a method name or shape lives in one place.
 *
 * `vscode-jsonrpc` is the transport both `vscode-languageclient` and
 * `vscode-languageserver` are built on; its message types are plain data
 * holders and carry no VS Code dependency.
 */
import { NotificationType, ParameterStructures, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { BufferNode, ModelInfo, NodeInfo, ParameterNode, ServerInfo, TensorGroup } from './model';

/** JSON-RPC method names. Every name is prefixed so it can never clash with an LSP method. */
export const Methods = {
  openModel: 'moduleLens/openModel',
  closeModel: 'moduleLens/closeModel',
  listModels: 'moduleLens/listModels',
  getChildren: 'moduleLens/getChildren',
  setTraining: 'moduleLens/setTraining',
  serverInfo: 'moduleLens/serverInfo',
  listModules: 'moduleLens/listModules',
  modelsChanged: 'moduleLens/modelsChanged',
} as const;

/** Largest page `getChildren` returns; larger `limit`s are rejected so one reply stays small. */
export const MAX_PAGE_SIZE = 1000;

/** Page size `getChildren` uses when the request has no `limit`. */
export const DEFAULT_PAGE_SIZE = 500;

/** Open (or re-load) a model file. Re-opening an open file reloads it under the same id. */
export interface OpenModelParams {
  /** Absolute path of a `.ts/.mts/.js/.mjs/.cjs` model file or a tfjs `model.json`. */
  readonly file: string;
  /** Reopen under this id (a client restoring its models after a server restart). */
  readonly modelId?: string;
}

/** Close a model and free its tensors. */
export interface CloseModelParams {
  readonly modelId: string;
}

/** The result of `closeModel`: whether a model with that id was open. */
export interface CloseModelResult {
  readonly closed: boolean;
}

/** The result of `listModels`, in opening order. */
export interface ListModelsResult {
  readonly models: readonly ModelInfo[];
}

/**
 * One page of the children of a module, or of one of its tensor groups when
 * `group` is set. A module's children are its group folders (only non-empty ones,
 * parameters first) followed by its child modules in registration order.
 */
export interface GetChildrenParams {
  readonly modelId: string;
  /** Dotted path of the module; `''` for the root. */
  readonly path: string;
  /** List the tensors of this group of the module instead of the module's children. */
  readonly group?: TensorGroup;
  /** Index of the first item to return (default 0). */
  readonly offset?: number;
  /** Most items to return (default {@link DEFAULT_PAGE_SIZE}, at most {@link MAX_PAGE_SIZE}). */
  readonly limit?: number;
}

/** A page of children plus the total, so the caller knows whether to ask for more. */
export interface GetChildrenResult {
  readonly items: readonly NodeInfo[];
  readonly total: number;
}

/** Set `training` on a module, like PyTorch's `module.train(mode)`. */
export interface SetTrainingParams {
  readonly modelId: string;
  readonly path: string;
  /** `true` for train mode, `false` for eval mode. */
  readonly mode: boolean;
  /** Also set every descendant (what `train()`/`eval()` do); `false` sets this module only. */
  readonly recursive: boolean;
}

/** The result of `setTraining`: how many modules changed their flag. */
export interface SetTrainingResult {
  readonly changed: number;
}

/** Every module of a model in one reply (for pickers and the state dict view), in tree order. */
export interface ListModulesParams {
  readonly modelId: string;
  /** Also list each module's parameters and buffers (default false). */
  readonly tensors?: boolean;
}

/** One module of a {@link ListModulesResult}. */
export interface ModuleListing {
  /** Dotted path; `''` for the root. */
  readonly path: string;
  readonly type: string;
  readonly training: boolean;
  /** Own parameters, when `tensors` was asked for. */
  readonly parameters?: readonly ParameterNode[];
  /** Own buffers, when `tensors` was asked for. */
  readonly buffers?: readonly BufferNode[];
}

/** The result of `listModules`: every module, depth first, parents before children, registration order. */
export interface ListModulesResult {
  readonly modules: readonly ModuleListing[];
}

/** Why the set of models or their state changed. `statsChanged`: a run refreshed tensor statistics. */
export type ModelsChangedReason = 'opened' | 'reloaded' | 'closed' | 'trainingChanged' | 'statsChanged';

/** Sent by the server after any change a tree showing its models must redraw for. */
export interface ModelsChangedParams {
  readonly reason: ModelsChangedReason;
  readonly modelId: string;
  /** The module whose subtree changed, for `trainingChanged`. */
  readonly path?: string;
}

/** Options the extension sends in `initialize` (`initializationOptions`). */
export interface ServerInitOptions {
  /** The `moduleLens.backend` setting. */
  readonly backend?: string;
}

// `byName` sends the params object as-is rather than wrapped in an array, so the
// server's validators see exactly the interface above.
const byName = ParameterStructures.byName;

/** `moduleLens/openModel`: load a model file; replies with its {@link ModelInfo}. */
export const OpenModelRequest = new RequestType<OpenModelParams, ModelInfo, void>(Methods.openModel, byName);
/** `moduleLens/closeModel`: dispose a model. */
export const CloseModelRequest = new RequestType<CloseModelParams, CloseModelResult, void>(Methods.closeModel, byName);
/** `moduleLens/listModels`: the open models. */
export const ListModelsRequest = new RequestType0<ListModelsResult, void>(Methods.listModels);
/** `moduleLens/getChildren`: one page of a node's children. */
export const GetChildrenRequest = new RequestType<GetChildrenParams, GetChildrenResult, void>(Methods.getChildren, byName);
/** `moduleLens/setTraining`: switch train/eval mode. */
export const SetTrainingRequest = new RequestType<SetTrainingParams, SetTrainingResult, void>(Methods.setTraining, byName);
/** `moduleLens/serverInfo`: backend, notes and pid. */
export const ServerInfoRequest = new RequestType0<ServerInfo, void>(Methods.serverInfo);
/** `moduleLens/listModules`: every module of a model, flat. */
export const ListModulesRequest = new RequestType<ListModulesParams, ListModulesResult, void>(Methods.listModules, byName);
/** `moduleLens/modelsChanged`: server → client, after open/close/reload/mode changes. */
export const ModelsChangedNotification = new NotificationType<ModelsChangedParams>(Methods.modelsChanged);
