/**
 * Data shapes that describe open models and their module trees.
 * Shared by the model server, the extension and the webview, so this file knows
 * neither VS Code nor TensorFlow.js: every field is plain JSON.
 */
import type { TensorStats } from './runs';

/** The tfjs backend names the server can end up on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** The `moduleLens.backend` setting: a backend, or `auto` to try them in order. */
export type BackendPreference = 'auto' | BackendName;

/** All values of {@link BackendPreference}, in the order `auto` tries the backends after itself. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** One model loaded in the server. */
export interface ModelInfo {
  /** Server-assigned id, stable while the model stays open (re-opening the same file keeps it). */
  readonly modelId: string;
  /** Absolute path of the model file it was loaded from. */
  readonly file: string;
  /** Class name of the root module, e.g. `CustomLinearLayer`. */
  readonly rootType: string;
  /** The root module's full PyTorch-style repr (`print(model)`). */
  readonly repr: string;
  /** The backend the model's tensors live on. */
  readonly backend: string;
  /** The root module's tree node (its `path` is `''`), so a tree can draw the root without another request. */
  readonly root: ModuleNode;
  /** What a run can feed the model when the caller names no input. */
  readonly input?: ModelInputInfo;
  /** Modules whose `training` flag differs from the root's; absent when every module agrees. */
  readonly modeMismatch?: ModeMismatch;
}

/** What a run can feed a model without being told. */
export interface ModelInputInfo {
  /** The model file exports `input()`, which a run uses by default. */
  readonly exported: boolean;
  /**
   * Shapes for a random input with a batch of one, one per model input: a layers model's
   * declared input shapes (unknown dimensions as 1), or the shape the first `Linear`/`Conv`
   * of an `nn` model takes (a convolution's spatial size as 32). Empty when nothing is known.
   */
  readonly shapes: readonly (readonly number[])[];
  /** Where `shapes` came from, for the user, e.g. `fc1: Linear(in_features=8, out_features=16, bias=True)`. */
  readonly basis?: string;
}

/** Most paths a {@link ModeMismatch} lists. */
export const MAX_MODE_MISMATCH_PATHS = 50;

/** The modules of a model in the other train/eval mode than its root. */
export interface ModeMismatch {
  /** How many modules differ from the root. */
  readonly count: number;
  /** Their dotted paths, in tree order, at most {@link MAX_MODE_MISMATCH_PATHS}. */
  readonly paths: readonly string[];
}

/** A module in the tree. `path` is the dotted path from the root (`''` for the root itself). */
export interface ModuleNode {
  readonly kind: 'module';
  readonly modelId: string;
  /** Dotted path as `named_modules()` prints it, e.g. `features.0`; `''` for the root. */
  readonly path: string;
  /** Attribute name under the parent (the last path segment); `''` for the root. */
  readonly name: string;
  /** Class name, e.g. `Linear`. */
  readonly type: string;
  /** The module's own `training` flag. */
  readonly training: boolean;
  /** Elements in this module's own parameters (not its children's). */
  readonly ownParams: number;
  /** Elements in all parameters of the subtree, each shared parameter counted once. */
  readonly totalParams: number;
  /** Number of this module's own registered (non-null) buffers. */
  readonly numBuffers: number;
  /** Number of this module's own parameters that are not null. */
  readonly numParams: number;
  /** Number of direct (non-null) child modules. */
  readonly childCount: number;
  /** One-line repr: `Type(extra_repr)`, e.g. `Linear(in_features=3, out_features=2, bias=True)`. */
  readonly repr: string;
}

/** Which tensor group of a module a {@link GroupNode} stands for. */
export type TensorGroup = 'parameters' | 'buffers';

/** The "Parameters (n)" or "Buffers (n)" folder under a module. */
export interface GroupNode {
  readonly kind: 'group';
  readonly modelId: string;
  /** Dotted path of the module that owns the group. */
  readonly path: string;
  readonly group: TensorGroup;
  /** Number of tensors in the group. */
  readonly count: number;
}

/** Fields shared by parameter and buffer leaves. */
interface TensorNodeBase {
  readonly modelId: string;
  /** Full dotted name as in `state_dict()`, e.g. `fc.weight`. */
  readonly path: string;
  /** Attribute name under its module, e.g. `weight`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Statistics of the values, present once the model has run (refreshed after every run). */
  readonly stats?: TensorStats;
}

/** A registered parameter. */
export interface ParameterNode extends TensorNodeBase {
  readonly kind: 'parameter';
  readonly requiresGrad: boolean;
  /** Statistics of `.grad`, present after a backward run filled it. */
  readonly grad?: TensorStats;
}

/** A registered buffer. */
export interface BufferNode extends TensorNodeBase {
  readonly kind: 'buffer';
  /** False for buffers registered with `persistent=false` (left out of `state_dict()`). */
  readonly persistent: boolean;
}

/** Any row of the module tree. Switch on `kind`; end with `assertNever`. */
export type NodeInfo = ModuleNode | GroupNode | ParameterNode | BufferNode;

/** What the server reports about itself. */
export interface ServerInfo {
  /** The active tfjs backend, e.g. `wasm`. */
  readonly backend: string;
  /** One line per backend that was tried and failed, and why. */
  readonly notes: readonly string[];
  /** The server's process id (it runs apart from the extension host). */
  readonly pid: number;
}
