/**
 * The main thread's view of the engine: which models are open (with their
 * latest snapshots), which hooks are attached, and which run is active. It is
 * what survives the worker: after a stop or a crash, {@link restore} replays
 * it into a fresh worker, under the same model and hook ids.
 */
import * as path from 'node:path';
import { mapModuleSources, type ModuleLocation } from './source/moduleSourceMap';
import { ParsedFiles } from './source/parsedFiles';
import {
  ServerErrorCodes,
  type AttachHookParams, type GetChildrenParams, type LoadStateDictParams, type LoadStateDictResult, type GetChildrenResult, type HookInfo, type ModelInfo,
  type ListModulesParams, type ListModulesResult, type ModelsChangedParams, type RunParams, type RunResult, type SaveStateDictParams,
  type SaveStateDictResult, type SetTrainingParams, type SourceMapResult, type ModuleNode,
} from '../protocol';
import { ServerError } from './serverError';
import { indexSnapshot, listChildren, listModules, withStats, type IndexedSnapshot } from './treeQueries';
import type { WorkerHost } from './workerHost';
import type { ModelSnapshot } from './workerProtocol';

/** What the directory reports outward. */
export interface DirectoryEvents {
  modelsChanged(change: ModelsChangedParams): void;
  /** Hooks whose module disappeared on a reload, to tell the user. */
  hooksMissing(hooks: HookInfo[]): void;
}

export class ModelDirectory {
  private readonly models = new Map<string, IndexedSnapshot>();
  private readonly hooks = new Map<number, HookInfo>();
  private nextModel = 1;
  /** Source maps per file version and snapshot (the snapshot gives the module types). */
  private readonly sourceMaps = new ParsedFiles<ModuleLocation[], ModelSnapshot>((file, text, snapshot) =>
    mapModuleSources(file, text, snapshot!.rootType, new Map(snapshot!.modules.map((m) => [m.node.path, m.node.type]))));
  private nextHook = 1;
  private nextRun = 1;
  private activeRun: { runId: number; modelId: string } | undefined;
  /** Opens, closes and restores one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: WorkerHost,
    private readonly backend: () => string,
    private readonly events: DirectoryEvents,
    private readonly loadTimeoutMs = 30_000,
  ) {}

  /** Loads (or reloads) a model file; hooks on a reloaded model follow their module paths. */
  open(file: string, requestedId?: string): Promise<ModelInfo> {
    return this.serial(async () => {
      this.assertIdle('open a model');
      const absolute = path.resolve(file);
      const existing = [...this.models.values()].find((m) => m.snapshot.file === absolute) ?? (requestedId ? this.models.get(requestedId) : undefined);
      const modelId = existing?.snapshot.modelId ?? requestedId ?? `m${this.nextModel++}`;
      const numeric = /^m(\d+)$/.exec(modelId);
      if (numeric) this.nextModel = Math.max(this.nextModel, Number(numeric[1]) + 1);
      const timeout = new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new ServerError(ServerErrorCodes.loadFailed,
          `${absolute}: loading did not finish within ${Math.round(this.loadTimeoutMs / 1000)} s (an endless loop at import?); the engine was restarted`)), this.loadTimeoutMs);
        t.unref();
      });
      let result;
      try {
        result = await Promise.race([this.host.call({ method: 'open', params: { modelId, file: absolute } }), timeout]);
      } catch (err) {
        if (err instanceof ServerError && err.code === ServerErrorCodes.loadFailed && /did not finish within/.test(err.message)) {
          // The worker is stuck in the file's code: replace it, without the file that hung.
          if (existing) {
            this.models.delete(modelId);
            this.events.modelsChanged({ reason: 'closed', modelId });
          }
          await this.host.terminate();
          await this.restartWorker();
        }
        throw err;
      }
      this.models.set(modelId, indexSnapshot(result.snapshot));
      for (const h of result.hooks) this.hooks.set(h.hookId, h);
      const missing = result.hooks.filter((h) => h.missing);
      if (missing.length) this.events.hooksMissing(missing);
      this.events.modelsChanged({ reason: existing ? 'reloaded' : 'opened', modelId });
      return this.info(this.models.get(modelId)!);
    });
  }

  async close(modelId: string): Promise<boolean> {
    this.assertIdle('close a model');
    if (!this.models.has(modelId)) return false;
    await this.host.call({ method: 'close', params: { modelId } });
    this.models.delete(modelId);
    for (const [id, h] of this.hooks) if (h.modelId === modelId) this.hooks.delete(id);
    this.events.modelsChanged({ reason: 'closed', modelId });
    return true;
  }

  list(): ModelInfo[] {
    return [...this.models.values()].map((m) => this.info(m));
  }

  children(p: GetChildrenParams): GetChildrenResult {
    return listChildren(this.model(p.modelId), p.path, p.group, p.offset, p.limit);
  }

  /** Every module of a model, flat, from the latest snapshot (answers while a run computes). */
  modules(p: ListModulesParams): ListModulesResult {
    return { modules: listModules(this.model(p.modelId), p.tensors ?? false) };
  }

  async setTraining(p: SetTrainingParams): Promise<{ changed: number }> {
    this.model(p.modelId);
    this.assertIdle('change train/eval mode');
    const { changed, snapshot } = await this.host.call({ method: 'setTraining', params: p });
    this.models.set(p.modelId, indexSnapshot(snapshot));
    if (changed > 0) this.events.modelsChanged({ reason: 'trainingChanged', modelId: p.modelId, path: p.path });
    return { changed };
  }

  /** Copies a `.safetensors` state dict into an open model. */
  async loadStateDict(p: LoadStateDictParams): Promise<LoadStateDictResult> {
    this.model(p.modelId);
    this.assertIdle('load a state dict');
    const { snapshot, ...result } = await this.host.call({ method: 'loadStateDict', params: p });
    this.models.set(p.modelId, indexSnapshot(snapshot));
    this.events.modelsChanged({ reason: 'reloaded', modelId: p.modelId });
    return result;
  }

  /** Writes a model's state dict to a `.safetensors` file. */
  async saveStateDict(p: SaveStateDictParams): Promise<SaveStateDictResult> {
    this.model(p.modelId);
    this.assertIdle('save a state dict');
    return this.host.call({ method: 'saveStateDict', params: p });
  }

  /** Every module row of a model (depth first), from its latest snapshot. */
  moduleNodes(modelId: string): ModuleNode[] {
    return this.model(modelId).snapshot.modules.map((m) => m.node);
  }

  /** Where each module of a TS/JS model is created and called. */
  sourceMap(modelId: string): SourceMapResult {
    const { snapshot } = this.model(modelId);
    if (!/\.(m|c)?(t|j)s$/.test(snapshot.file)) return { file: snapshot.file, modules: [] };
    try {
      return { file: snapshot.file, modules: this.sourceMaps.get(snapshot.file, snapshot) };
    } catch (err) {
      throw new ServerError(ServerErrorCodes.loadFailed, `${snapshot.file}: ${(err as Error).message}`);
    }
  }

  async attachHook(p: AttachHookParams): Promise<HookInfo> {
    this.model(p.modelId);
    const hookId = p.hookId ?? this.nextHook++;
    this.nextHook = Math.max(this.nextHook, hookId + 1);
    const info = await this.host.call({ method: 'attachHook', params: { ...p, hookId } });
    this.hooks.set(hookId, info);
    return info;
  }

  async detachHook(hookId: number): Promise<boolean> {
    if (!this.hooks.has(hookId)) return false;
    this.hooks.delete(hookId);
    await this.host.call({ method: 'detachHook', params: { hookId } });
    return true;
  }

  listHooks(): HookInfo[] {
    return [...this.hooks.values()];
  }

  hookHit(hookId: number, hits: number): void {
    const h = this.hooks.get(hookId);
    if (h) this.hooks.set(hookId, { ...h, hits });
  }

  /** Runs a model; a second run while one is active is refused, never queued. */
  async run(p: RunParams): Promise<RunResult> {
    const model = this.model(p.modelId);
    this.assertIdle('start another run');
    const runId = this.nextRun++;
    this.activeRun = { runId, modelId: p.modelId };
    const start = Date.now();
    try {
      const { stats, ...result } = await this.host.call({ method: 'run', params: { ...p, runId } });
      // The run refreshed the tensor statistics; the tree asks again on `statsChanged`.
      const current = this.models.get(p.modelId);
      if (stats && current) {
        this.models.set(p.modelId, withStats(current, stats));
        this.events.modelsChanged({ reason: 'statsChanged', modelId: p.modelId });
      }
      return result;
    } catch (err) {
      if (err instanceof ServerError && err.code === ServerErrorCodes.interrupted) {
        return { runId, state: 'stopped', events: 0, durationMs: Date.now() - start, error: `run of ${model.snapshot.rootType} was interrupted: ${err.message}` };
      }
      throw err;
    } finally {
      if (this.activeRun?.runId === runId) this.activeRun = undefined;
    }
  }

  /** The run in progress, if any. */
  get running(): { runId: number; modelId: string } | undefined {
    return this.activeRun;
  }

  /**
   * Starts a fresh worker and replays every open model and hook into it.
   *
   * @returns what was restored and what could not be
   */
  async restartWorker(): Promise<{ models: number; hooks: number; failures: string[] }> {
    this.activeRun = undefined;
    await this.host.start();
    const failures: string[] = [];
    let models = 0;
    let hooks = 0;
    for (const m of [...this.models.values()]) {
      const { modelId, file } = m.snapshot;
      try {
        const result = await this.host.call({ method: 'open', params: { modelId, file } });
        this.models.set(modelId, indexSnapshot(result.snapshot));
        models++;
      } catch (err) {
        failures.push((err as Error).message);
        this.models.delete(modelId);
        this.events.modelsChanged({ reason: 'closed', modelId });
      }
    }
    for (const h of [...this.hooks.values()]) {
      try {
        // Everything the hook was attached with, and its hits: a hit condition such as `== 5` goes on counting from where it was.
        const info = await this.host.call({ method: 'attachHook', params: hookParams(h) });
        this.hooks.set(h.hookId, info);
        hooks++;
      } catch (err) {
        this.hooks.set(h.hookId, { ...h, missing: true });
        failures.push((err as Error).message);
      }
    }
    return { models, hooks, failures };
  }

  private assertIdle(what: string): void {
    const r = this.activeRun;
    if (r) {
      const type = this.models.get(r.modelId)?.snapshot.rootType ?? r.modelId;
      throw new ServerError(ServerErrorCodes.busy, `cannot ${what} while run ${r.runId} of ${type} is active; stop it first`);
    }
  }

  private model(modelId: string): IndexedSnapshot {
    const m = this.models.get(modelId);
    if (!m) throw new ServerError(ServerErrorCodes.modelNotFound, `no open model "${modelId}"`);
    return m;
  }

  private info(m: IndexedSnapshot): ModelInfo {
    const s: ModelSnapshot = m.snapshot;
    return {
      modelId: s.modelId, file: s.file, rootType: s.rootType, repr: s.repr, backend: this.backend(), root: s.modules[0].node,
      ...(s.input ? { input: s.input } : {}), ...(m.modeMismatch ? { modeMismatch: m.modeMismatch } : {}),
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The attach parameters that bring `h` back as it was: options, id and hit count. */
function hookParams(h: HookInfo): AttachHookParams & { hookId: number } {
  return {
    modelId: h.modelId, path: h.path, kind: h.kind, breakpoint: h.breakpoint, hookId: h.hookId, hits: h.hits,
    ...(h.condition !== undefined ? { condition: h.condition } : {}),
    ...(h.hitCondition !== undefined ? { hitCondition: h.hitCondition } : {}),
    ...(h.logMessage !== undefined ? { logMessage: h.logMessage } : {}),
  };
}
