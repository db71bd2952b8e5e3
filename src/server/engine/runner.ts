/**
 * Runs a model once, forward or forward and backward, while hooks capture and
 * breakpoints pause. One run at a time; the main thread enforces it too.
 */
import * as tf from '@tensorflow/tfjs';
import { nn } from '../..';
import type { LoadedModel } from '../../adapters/modelFile';
import { callStackPaths } from '../../nn/callStack';
import type { CaptureEvent, HookInfo, HookKind, PauseLocation, RunParams, RunResult, RunStateParams, TensorSummaryJson } from '../../protocol';
import type { CaptureStore } from './captureStore';
import type { HookSink } from './hookManager';
import { isStopRun, type PauseGate } from './pauseGate';
import { disposeRunInput, makeRunInput } from './runInput';

interface ActiveRun {
  runId: number;
  modelId: string;
  seq: number;
  start: number;
  stepping: boolean;
  stepHandles: nn.RemovableHandle[];
}

/** What the runner tells the main thread. */
export interface RunEvents {
  capture(event: CaptureEvent): void;
  runState(params: RunStateParams): void;
  hookHits(hookId: number, hits: number): void;
}

function firstTensor(value: unknown): tf.Tensor | undefined {
  if (value instanceof tf.Tensor) return value;
  if (Array.isArray(value)) return value.find((v): v is tf.Tensor => v instanceof tf.Tensor);
  return undefined;
}

export class Runner implements HookSink {
  private run: ActiveRun | undefined;

  constructor(private readonly store: CaptureStore, private readonly gate: PauseGate, private readonly events: RunEvents) {}

  get active(): boolean {
    return this.run !== undefined;
  }

  /** A hook fired: capture its tensors, tell the client, and pause if it is a breakpoint. */
  fired(hook: HookInfo, tensors: [string, unknown][]): void {
    const run = this.run;
    if (!run) return;
    this.events.hookHits(hook.hookId, hook.hits);
    const event = this.capture(run, hook.path, hook.kind, hook.hookId, tensors);
    if (hook.breakpoint) this.pause(run, { path: hook.path, kind: hook.kind, hookId: hook.hookId, event });
  }

  /** Runs the model; never throws: failures and stops are results. */
  execute(loaded: LoadedModel, params: RunParams & { runId: number }): RunResult {
    const run: ActiveRun = { runId: params.runId, modelId: params.modelId, seq: 0, start: performance.now(), stepping: false, stepHandles: [] };
    this.run = run;
    this.gate.drain();
    this.events.runState({ state: 'running', runId: run.runId, modelId: run.modelId, kind: params.kind });
    let result: RunResult;
    let input: ReturnType<typeof makeRunInput> | undefined;
    try {
      input = makeRunInput(loaded, params.input);
      const args = Array.isArray(input) ? input : [input];
      const model = loaded.model;
      let output: TensorSummaryJson | null = null;
      let loss: number | undefined;
      if (params.kind === 'forward') {
        const out = model(...args);
        const t = firstTensor(out);
        output = t ? this.store.summarize(t) : null;
        tf.dispose(out as tf.TensorContainer);
      } else {
        // Gradients shown after a run are that run's, not an accumulation over runs.
        model.zeroGrad();
        const value = nn.backward(() => {
          const out = model(...args);
          const t = firstTensor(out);
          output = t ? this.store.summarize(t) : null;
          return loaded.loss(out, input!);
        }, model.parameters());
        loss = value.dataSync()[0];
        value.dispose();
      }
      result = { runId: run.runId, state: 'finished', output, loss, events: run.seq, durationMs: performance.now() - run.start };
    } catch (err) {
      const stopped = isStopRun(err);
      const message = err instanceof Error ? err.message : String(err);
      result = {
        runId: run.runId,
        state: stopped ? 'stopped' : 'failed',
        error: stopped ? undefined : message.split('\n')[0],
        events: run.seq,
        durationMs: performance.now() - run.start,
      };
    } finally {
      if (input) disposeRunInput(input);
      for (const h of run.stepHandles) h.remove();
      this.run = undefined;
    }
    this.events.runState({ state: result.state, runId: run.runId, result });
    return result;
  }

  private capture(run: ActiveRun, path: string, kind: HookKind, hookId: number, tensors: [string, unknown][]): CaptureEvent {
    const event: CaptureEvent = {
      runId: run.runId,
      seq: ++run.seq,
      modelId: run.modelId,
      path,
      kind,
      hookId,
      atMs: performance.now() - run.start,
      tensors: tensors.map(([slot, t]) => this.store.capture(slot, t)),
    };
    this.events.capture(event);
    return event;
  }

  private pause(run: ActiveRun, at: Omit<PauseLocation, 'modelId' | 'stack'>): void {
    const location: PauseLocation = { modelId: run.modelId, stack: callStackPaths(), ...at };
    this.events.runState({ state: 'paused', runId: run.runId, location });
    const mode = this.gate.wait();
    this.events.runState({ state: 'running', runId: run.runId, modelId: run.modelId, kind: 'forward' });
    if (mode === 'step') this.stepToNextBoundary(run);
    else this.stopStepping(run);
  }

  /** Pauses at the next module boundary (forward pre-hook or forward hook of any module). */
  private stepToNextBoundary(run: ActiveRun): void {
    run.stepping = true;
    if (run.stepHandles.length > 0) return;
    const boundary = (kind: HookKind, tensors: [string, unknown][]) => {
      if (!run.stepping || this.run !== run) return;
      run.stepping = false;
      const stack = callStackPaths();
      const path = stack[stack.length - 1]?.path ?? '';
      const event = this.capture(run, path, kind, -1, tensors);
      this.pause(run, { path, kind, hookId: null, event });
    };
    run.stepHandles.push(
      nn.registerModuleForwardPreHook(function moduleLensStep(_m, args) { boundary('pre', args.map((a, i) => [`args[${i}]`, a])); }),
      nn.registerModuleForwardHook(function moduleLensStep(_m, args, output) {
        boundary('forward', [...args.map((a, i): [string, unknown] => [`args[${i}]`, a]), ['output', output]]);
      }),
    );
  }

  private stopStepping(run: ActiveRun): void {
    run.stepping = false;
    for (const h of run.stepHandles) h.remove();
    run.stepHandles = [];
  }
}
