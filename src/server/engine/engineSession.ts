/**
 * Everything the engine worker holds: open models, hooks, captured tensors and
 * the runner. It answers {@link WorkerCall}s; the worker entry only moves
 * messages in and out.
 */
import * as tf from '@tensorflow/tfjs';
import { loadModelFile, ModelFileError, type LoadedModel } from '../../adapters/modelFile';
import * as fs from 'node:fs';
import { assertNever, ServerErrorCodes, type GetTensorResult, type LoadStateDictParams, type ModelInputInfo, type SaveStateDictParams, type SetTrainingParams } from '../../protocol';
import { readSafetensors, writeSafetensors } from '../../adapters/tensorFiles/safetensors';
import { ServerError } from '../serverError';
import type { WorkerCall, WorkerResults } from '../workerProtocol';
import { readRange, type CaptureStore } from './captureStore';
import { HookManager } from './hookManager';
import type { Runner } from './runner';
import { findModule, inputInfo, snapshotModel, statsPatch } from './snapshot';

interface OpenModel {
  readonly file: string;
  readonly loaded: LoadedModel;
  readonly input: ModelInputInfo;
  /** Set by the first run: from then on snapshots carry tensor statistics. */
  ran: boolean;
}

/** Default page for `getTensor` without `end`. */
const DEFAULT_RANGE = 4096;

export class EngineSession {
  private readonly models = new Map<string, OpenModel>();
  readonly hooks: HookManager;

  constructor(private readonly store: CaptureStore, private readonly runner: Runner) {
    this.hooks = new HookManager(runner);
  }

  /** Answers one call. */
  async handle(call: WorkerCall): Promise<WorkerResults[WorkerCall['method']]> {
    switch (call.method) {
      case 'open': return this.open(call.params.modelId, call.params.file);
      case 'close': return this.close(call.params.modelId);
      case 'setTraining': return this.setTraining(call.params);
      case 'attachHook': return this.hooks.attach(this.model(call.params.modelId).loaded.model, call.params);
      case 'detachHook': return { removed: this.hooks.detach(call.params.hookId) };
      case 'run': {
        const m = this.model(call.params.modelId);
        const result = this.runner.execute(m.loaded, call.params);
        m.ran = true;
        // A run changes values, not structure: send the statistics alone.
        return { ...result, stats: statsPatch(m.loaded.model) };
      }
      case 'getTensor': return this.getTensor(call.params);
      case 'clearCaptures': return { released: this.store.clear() };
      case 'memory': {
        const m = tf.memory();
        return { numTensors: m.numTensors, numBytes: m.numBytes, capturedTensors: this.store.count, capturedBytes: this.store.totalBytes };
      }
      case 'loadStateDict': return this.loadStateDict(call.params);
      case 'saveStateDict': return this.saveStateDict(call.params);
      case 'evaluate': throw new ServerError(ServerErrorCodes.busy, 'expressions can be evaluated while a run is paused');
      case 'releaseTensors': return { released: this.store.release(call.params.tensorIds) };
      default: return assertNever(call);
    }
  }

  /** The model's snapshot; with tensor statistics once it has run. */
  private snapshot(modelId: string): ReturnType<typeof snapshotModel> {
    const m = this.model(modelId);
    return snapshotModel(modelId, m.file, m.loaded.model, { stats: m.ran, input: m.input });
  }

  /** Writes `state_dict()` to a `.safetensors` file, as the CLI's `state-dict --out` does. */
  private saveStateDict(p: SaveStateDictParams): WorkerResults['saveStateDict'] {
    const stateDict = this.model(p.modelId).loaded.model.stateDict();
    writeSafetensors(p.file, stateDict);
    return { tensors: stateDict.size, bytes: fs.statSync(p.file).size };
  }

  private loadStateDict(p: LoadStateDictParams): WorkerResults['loadStateDict'] {
    const { loaded } = this.model(p.modelId);
    let tensors: Map<string, tf.Tensor>;
    try {
      tensors = readSafetensors(p.file).tensors;
    } catch (err) {
      throw new ServerError(ServerErrorCodes.loadFailed, (err as Error).message.split('\n')[0]);
    }
    try {
      const result = loaded.model.loadStateDict(tensors, p.strict ?? true);
      return { ...result, snapshot: this.snapshot(p.modelId) };
    } catch (err) {
      // PyTorch's message lists the problems on tab-indented lines; keep it to one line here.
      const message = (err as Error).message.replace(/\n\t/g, ' ').replace(/\s+$/, '');
      throw new ServerError(ServerErrorCodes.loadFailed, `${p.file}: ${message}`);
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }

  /** Synchronous subset answered while a run is paused. */
  handleWhilePaused(call: WorkerCall): WorkerResults[WorkerCall['method']] {
    switch (call.method) {
      case 'getTensor': return this.getTensor(call.params);
      case 'detachHook': return { removed: this.hooks.detach(call.params.hookId) };
      case 'evaluate': return { result: this.runner.evaluate(call.params.expression) };
      case 'memory': {
        const m = tf.memory();
        return { numTensors: m.numTensors, numBytes: m.numBytes, capturedTensors: this.store.count, capturedBytes: this.store.totalBytes };
      }
      default:
        throw new ServerError(ServerErrorCodes.busy, `${call.method} is not available while a run is paused at a breakpoint`);
    }
  }

  private async open(modelId: string, file: string): Promise<WorkerResults['open']> {
    let loaded: LoadedModel;
    try {
      loaded = await loadModelFile(file);
    } catch (err) {
      const message = err instanceof ModelFileError ? err.message : `${file}: ${(err as Error)?.message ?? String(err)}`;
      throw new ServerError(ServerErrorCodes.loadFailed, message.split('\n')[0], { cause: err });
    }
    const previous = this.models.get(modelId);
    this.models.set(modelId, { file, loaded, input: inputInfo(loaded), ran: false });
    const hooks = this.hooks.reattach(modelId, loaded.model);
    // Free the old model only once the new one is in place.
    if (previous) this.disposeModel(previous);
    return { snapshot: this.snapshot(modelId), hooks };
  }

  private close(modelId: string): WorkerResults['close'] {
    const model = this.models.get(modelId);
    if (!model) return { closed: false };
    this.hooks.dropModel(modelId);
    this.models.delete(modelId);
    this.disposeModel(model);
    return { closed: true };
  }

  private setTraining(p: SetTrainingParams): WorkerResults['setTraining'] {
    const { loaded } = this.model(p.modelId);
    const target = findModule(loaded.model, p.path);
    if (!target) throw new ServerError(ServerErrorCodes.moduleNotFound, `model ${p.modelId} has no module "${p.path}"`);
    const targets = p.recursive ? [...target.modules()] : [target];
    const changed = targets.filter((m) => m.training !== p.mode).length;
    if (p.recursive) target.train(p.mode);
    else target.training = p.mode;
    return { changed, snapshot: this.snapshot(p.modelId) };
  }

  private getTensor(p: WorkerCall & { method: 'getTensor' } extends { params: infer P } ? P : never): GetTensorResult {
    let tensor: tf.Tensor;
    let summary;
    if ('tensorId' in p) {
      const kept = this.store.get(p.tensorId);
      if (!kept) throw new ServerError(ServerErrorCodes.tensorNotFound, `tensor ${p.tensorId} is no longer kept (evicted or cleared)`);
      ({ tensor, summary } = kept);
    } else {
      const root = this.model(p.modelId).loaded.model;
      const found = root.stateDict().get(p.name) ?? [...root.namedBuffers()].find(([n]) => n === p.name)?.[1];
      if (!found) throw new ServerError(ServerErrorCodes.tensorNotFound, `model ${p.modelId} has no parameter or buffer "${p.name}"`);
      tensor = found;
      summary = this.store.summarize(tensor);
    }
    const start = p.start ?? 0;
    const end = p.end ?? start + DEFAULT_RANGE;
    return { summary, start, values: readRange(tensor, start, end) };
  }

  private model(modelId: string): OpenModel {
    const m = this.models.get(modelId);
    if (!m) throw new ServerError(ServerErrorCodes.modelNotFound, `no open model "${modelId}"`);
    return m;
  }

  private disposeModel(m: OpenModel): void {
    // An adapted layers model disposes its tfjs model, which owns the weights.
    m.loaded.model.dispose();
  }
}
