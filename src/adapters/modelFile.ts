/**
 * Loads a user's model file: the contract the CLI, the server and the extension share.
 *
 * A model file is `.ts`, `.mts`, `.cts`, `.js`, `.mjs` or `.cjs`, or a layers `model.json`. Its default export (or its
 * export `model`, or a CommonJS `module.exports`) is an `nn.Module`, a `tf.LayersModel`, an
 * `nn.Module` subclass, or a (possibly async) function returning a Module or LayersModel.
 * Optional exports: `input()` returning the example input, and `loss(output, input)` returning
 * a scalar (default: the sum of every output element).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn';
import { loadCommonJs, SOURCE_EXTENSIONS, type Aliases } from './modelFile/commonJsLoader';
import { describeValue, messageOf, ModelFileError } from './modelFile/modelFileError';
import { adaptLayersModel } from './layersModel/layersModelModule';
import { loadModelJson } from './layersModel/modelJsonLoad';

export { ModelFileError } from './modelFile/modelFileError';

/** What a model's `input()` returns and its forward receives (an array is spread into arguments). */
export type ModelInput = tf.Tensor | tf.Tensor[];

/** A model file's `loss(output, input)`. */
export type LossFn = (output: unknown, input: ModelInput) => tf.Scalar;

interface LoadedCommon {
  /** The file as the caller named it (also the prefix of every error about it). */
  file: string;
  /** The file's `input()` export, when it has one; for a layers model without one, a random batch of one. */
  input?: () => ModelInput;
  /** Whether `input` is the file's own `input()` export. */
  hasInputExport: boolean;
  /** The file's `loss` export, or {@link defaultLoss}. */
  loss: LossFn;
  /** Whether `loss` came from the file rather than {@link defaultLoss}. */
  hasCustomLoss: boolean;
}

/**
 * A loaded model file. `model` is always an `nn.Module`; when the file gave a `tf.LayersModel`
 * (or is a `model.json`), `model` is its adapter and `layersModel` the tfjs model behind it.
 */
export type LoadedModel = LoadedCommon & { model: Module; layersModel?: tf.LayersModel };

/** Options for {@link loadModelFile}. */
export interface LoadModelFileOptions {
  /** How long a model function's Promise may take to settle (default 30 000 ms). */
  importTimeoutMs?: number;
}

/** Default for {@link LoadModelFileOptions.importTimeoutMs}. */
export const DEFAULT_IMPORT_TIMEOUT_MS = 30_000;

const EXPECTED = 'expected an nn.Module, a tf.LayersModel or a function returning one';

/**
 * Model files see the runtime's own engine and tfjs, never copies from their own node_modules:
 * two tfjs instances cannot share tensors, and `instanceof nn.Module` must hold.
 */
const ALIASES: Aliases = {
  // Lazy and untyped: the package root re-exports this file, so a static import would be a cycle.
  'module-lens': () => require('../index'),
  '@tensorflow/tfjs': () => tf,
  '@tensorflow/tfjs-core': () => tf,
  '@tensorflow/tfjs-layers': () => tf,
};

/**
 * Loads and evaluates a model file, then builds its model.
 *
 * Select a backend first: model constructors create tensors. The file is evaluated afresh on
 * every call. A model function whose Promise never settles is abandoned after
 * `importTimeoutMs`; a synchronous infinite loop at import cannot be interrupted in-process and
 * needs a worker thread around the call (the model server runs the engine in one).
 *
 * @throws ModelFileError with a one-line `<file>: <problem>` message for every failure.
 */
export async function loadModelFile(file: string, opts: LoadModelFileOptions = {}): Promise<LoadedModel> {
  const absolute = path.resolve(file);
  const ext = path.extname(absolute);
  if (ext === '.json') return loadLayersModelFile(file);
  if (!SOURCE_EXTENSIONS.includes(ext)) {
    throw new ModelFileError(file, `unsupported file type "${ext}", expected one of ${SOURCE_EXTENSIONS.join(', ')}`);
  }
  if (!fs.existsSync(absolute)) {
    throw new ModelFileError(file, 'file not found');
  }
  let fileExports: unknown;
  try {
    fileExports = loadCommonJs(absolute, ALIASES);
  } catch (err) {
    throw new ModelFileError(file, `failed to load: ${messageOf(err)}`, { cause: err });
  }

  const [exportName, candidate] = pickModelExport(fileExports);
  const built = await buildModel(file, exportName, candidate, opts.importTimeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS);
  const input = optionalFunction(file, fileExports, 'input') as (() => ModelInput) | undefined;
  const customLoss = optionalFunction(file, fileExports, 'loss') as LossFn | undefined;
  const adapted: { model: Module; layersModel?: tf.LayersModel } =
    'model' in built ? built : { model: adaptLayersModel(built.layersModel), layersModel: built.layersModel };
  return {
    file, ...adapted, input: input ?? (adapted.layersModel && exampleInput(adapted.layersModel)), hasInputExport: input !== undefined,
    loss: customLoss ?? defaultLoss, hasCustomLoss: customLoss !== undefined,
  };
}

/** A layers `model.json` (with its weight shards) as a loaded model. */
async function loadLayersModelFile(file: string): Promise<LoadedModel> {
  const layersModel = await loadModelJson(file);
  return { file, model: adaptLayersModel(layersModel), layersModel, input: exampleInput(layersModel), hasInputExport: false, loss: defaultLoss, hasCustomLoss: false };
}

/**
 * A random batch of one for each model input, from the input shapes the model declares
 * (unknown dimensions become 1), so a model.json can run without an `input()` export.
 */
function exampleInput(model: tf.LayersModel): () => ModelInput {
  return () => {
    const xs = model.inputs.map((s) => tf.randomNormal(s.shape.map((d) => d ?? 1)));
    return xs.length === 1 ? xs[0] : xs;
  };
}

/**
 * The loss used when a model file exports none: the sum of every element of every tensor in the
 * output (arrays, plain objects and Maps are walked), as a float32 scalar.
 */
export function defaultLoss(output: unknown): tf.Scalar {
  const tensors: tf.Tensor[] = [];
  collectTensors(output, tensors, new Set());
  if (tensors.length === 0) {
    throw new Error(`the model output (${describeValue(output)}) holds no tensors to sum for the default loss`);
  }
  const sums = tensors.map((t) => tf.sum(t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
  return (sums.length === 1 ? sums[0] : tf.addN(sums)) as tf.Scalar;
}

function collectTensors(value: unknown, out: tf.Tensor[], seen: Set<unknown>): void {
  if (value instanceof tf.Tensor) {
    out.push(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) {
    return;
  }
  seen.add(value);
  const items = value instanceof Map ? value.values() : Array.isArray(value) ? value : Object.values(value);
  for (const item of items) {
    collectTensors(item, out, seen);
  }
}

function isModel(value: unknown): value is Module | tf.LayersModel {
  return value instanceof Module || value instanceof tf.LayersModel;
}

/** `[name used in messages, value]`: the default export, else `model`, else `module.exports` itself. */
function pickModelExport(fileExports: unknown): [string, unknown] {
  // A Module is callable, so `module.exports = net` must be recognised before it looks like a namespace.
  if (isModel(fileExports)) {
    return ['default export', fileExports];
  }
  const own = (key: string) => typeof fileExports === 'object' && fileExports !== null && Object.prototype.hasOwnProperty.call(fileExports, key);
  if (own('default')) {
    return ['default export', (fileExports as { default: unknown }).default];
  }
  if (own('model')) {
    return ['export model', (fileExports as { model: unknown }).model];
  }
  return ['default export', typeof fileExports === 'function' ? fileExports : undefined];
}

async function buildModel(
  file: string,
  exportName: string,
  candidate: unknown,
  timeoutMs: number,
): Promise<{ model: Module } | { layersModel: tf.LayersModel }> {
  let value = candidate;
  if (!isModel(value)) {
    if (typeof value !== 'function') {
      throw new ModelFileError(file, `${exportName} is ${describeValue(value)}, ${EXPECTED}`);
    }
    const fn = value as (...args: unknown[]) => unknown;
    try {
      // A Module subclass is a class: construct it (classes throw when called without `new`).
      value = fn.prototype instanceof Module ? new (fn as unknown as new () => Module)() : await settleWithin(fn(), timeoutMs);
    } catch (err) {
      if (err instanceof ModelFileError) {
        throw err;
      }
      throw new ModelFileError(file, `${exportName} function failed: ${messageOf(err)}`, { cause: err });
    }
    if (!isModel(value)) {
      throw new ModelFileError(file, `${exportName} function returned ${describeValue(value)}, expected an nn.Module or a tf.LayersModel`);
    }
  }
  return value instanceof Module ? { model: value } : { layersModel: value };

  function settleWithin(result: unknown, ms: number): Promise<unknown> {
    if (!isThenable(result)) {
      return Promise.resolve(result);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ModelFileError(file, `${exportName} function did not settle within ${ms} ms`)),
        ms,
      );
    });
    return Promise.race([Promise.resolve(result), timeout]).finally(() => clearTimeout(timer));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null &&
    typeof (value as { then?: unknown }).then === 'function';
}

function optionalFunction(file: string, fileExports: unknown, name: string): ((...args: never[]) => unknown) | undefined {
  if (typeof fileExports !== 'object' || fileExports === null || isModel(fileExports)) {
    return undefined;
  }
  const value = (fileExports as Record<string, unknown>)[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'function' || isModel(value)) {
    throw new ModelFileError(file, `export ${name} is ${describeValue(value)}, expected a function`);
  }
  return value as (...args: never[]) => unknown;
}
