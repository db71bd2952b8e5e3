/**
 * The open models, by id. The only place the server holds engine objects, so
 * moving model work into a worker thread later changes this file's insides,
 * not its callers.
 */
import * as path from 'node:path';
import { loadModelFile, ModelFileError } from '../adapters/modelFile';
import type { Module } from '../nn';
import { ServerErrorCodes, type ModelInfo, type ModelsChangedParams } from '../protocol';
import { ServerError } from './serverError';
import { moduleNode } from './treeQueries';

/** A model the registry holds. */
interface OpenModel {
  readonly modelId: string;
  readonly file: string;
  readonly module: Module;
}

/** Opens, reloads, lists and closes models; reports each change to `onChange`. */
export class ModelRegistry {
  private readonly models = new Map<string, OpenModel>();
  private nextId = 1;
  /** Opens run one at a time, so two opens of one file cannot both win. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param backend - the active backend's name, reported in {@link ModelInfo}
   * @param onChange - called after every open, reload, close and mode change
   */
  constructor(private readonly backend: () => string, private readonly onChange: (change: ModelsChangedParams) => void) {}

  /**
   * Loads a model file. A file that is already open is loaded afresh (picking up
   * edits) and replaces the old model under the same id.
   *
   * @throws ServerError `loadFailed` with the loader's one-line `<file>: <problem>`
   */
  open(file: string): Promise<ModelInfo> {
    const run = this.queue.then(() => this.load(path.resolve(file)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Disposes a model's tensors and forgets it; false when no such model was open. */
  close(modelId: string): boolean {
    const model = this.models.get(modelId);
    if (!model) return false;
    this.models.delete(modelId);
    model.module.dispose();
    this.onChange({ reason: 'closed', modelId });
    return true;
  }

  /** Every open model, in opening order. */
  list(): ModelInfo[] {
    return [...this.models.values()].map((m) => this.info(m));
  }

  /**
   * The root module of an open model.
   *
   * @throws ServerError `modelNotFound`
   */
  root(modelId: string): Module {
    const model = this.models.get(modelId);
    if (!model) throw new ServerError(ServerErrorCodes.modelNotFound, `no open model "${modelId}"`);
    return model.module;
  }

  /** Tells listeners that a model's modules changed mode. */
  trainingChanged(modelId: string, modulePath: string): void {
    this.onChange({ reason: 'trainingChanged', modelId, path: modulePath });
  }

  /** Disposes every model (server shutdown). */
  disposeAll(): void {
    for (const m of this.models.values()) m.module.dispose();
    this.models.clear();
  }

  private async load(file: string): Promise<ModelInfo> {
    let module: Module;
    try {
      module = (await loadModelFile(file)).model;
    } catch (err) {
      const message = err instanceof ModelFileError ? err.message : `${file}: ${(err as Error)?.message ?? String(err)}`;
      throw new ServerError(ServerErrorCodes.loadFailed, message.split('\n')[0], { cause: err });
    }
    const previous = [...this.models.values()].find((m) => m.file === file);
    const modelId = previous?.modelId ?? `m${this.nextId++}`;
    const model = { modelId, file, module };
    this.models.set(modelId, model);
    // Free the old tensors only once the new model is in place, so no request sees a disposed one.
    previous?.module.dispose();
    this.onChange({ reason: previous ? 'reloaded' : 'opened', modelId });
    return this.info(model);
  }

  private info(m: OpenModel): ModelInfo {
    return { modelId: m.modelId, file: m.file, rootType: m.module.typeName, repr: m.module.toString(), backend: this.backend(), root: moduleNode(m.modelId, '', m.module) };
  }
}
