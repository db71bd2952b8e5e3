/**
 * Runs a model once, forward or forward and backward, while hooks capture and
 * breakpoints pause: conditions, hit counts and logpoints are checked here,
 * and stepping moves the pause from module boundary to module boundary.
 * One run at a time; the main thread enforces it too.
 */
import * as tf from '@tensorflow/tfjs';
import { nn } from '../..';
import type { LoadedModel } from '../../adapters/modelFile';
import { callDepth, callStackPaths, currentCallPath } from '../../nn/callStack';
import type {
  CaptureEvent, HookInfo, HookKind, ModuleTrace, OutputParams, PauseLocation, ResumeMode, RunParams, RunResult, RunStateParams, TensorSummaryJson,
} from '../../protocol';
import { PAUSE_REQUEST_INDEX } from '../workerProtocol';
import { hitConditionHolds } from './breakpointOptions';
import type { CaptureStore } from './captureStore';
import type { HookSink } from './hookManager';
import { isStopRun, type PauseGate } from './pauseGate';
import { disposeRunInput, makeRunInput } from './runInput';
import { Sandbox } from './sandbox';

/** Where the next pause should happen after a step. */
interface StepTarget { mode: Exclude<ResumeMode, 'continue' | 'step'>; depth: number }

interface ActiveRun {
  runId: number;
  modelId: string;
  kind: 'forward' | 'backward';
  seq: number;
  start: number;
  step: StepTarget | undefined;
  boundaryHandles: nn.RemovableHandle[];
  /** The pause's evaluation scope, while paused. */
  sandbox: Sandbox | undefined;
  trace: ModuleTrace[];
  root: nn.Module;
}

/** Most module calls a run's trace records. */
const MAX_TRACE = 20_000;

/** What the runner tells the main thread. */
export interface RunEvents {
  capture(event: CaptureEvent): void;
  runState(params: RunStateParams): void;
  hookHits(hookId: number, hits: number): void;
  output(params: OutputParams): void;
}

function firstTensor(value: unknown): tf.Tensor | undefined {
  if (value instanceof tf.Tensor) return value;
  if (Array.isArray(value)) return value.find((v): v is tf.Tensor => v instanceof tf.Tensor);
  return undefined;
}

function argSlots(args: readonly unknown[]): [string, unknown][] {
  return args.map((a, i): [string, unknown] => [`args[${i}]`, a]);
}

export class Runner implements HookSink {
  private run: ActiveRun | undefined;
  private readonly pauseFlag: Int32Array;

  constructor(
    private readonly store: CaptureStore,
    private readonly gate: PauseGate,
    private readonly events: RunEvents,
    signal: SharedArrayBuffer,
  ) {
    this.pauseFlag = new Int32Array(signal);
  }

  get active(): boolean {
    return this.run !== undefined;
  }

  /** A hook fired: capture its tensors, tell the client, and stop, log or go on as the breakpoint says. */
  fired(hook: HookInfo, tensors: [string, unknown][]): void {
    const run = this.run;
    if (!run) return;
    this.events.hookHits(hook.hookId, hook.hits);
    const event = this.capture(run, hook.path, hook.kind, hook.hookId, tensors);
    if (!hook.breakpoint || hook.message) return;
    if (hook.hitCondition && !hitConditionHolds(hook.hitCondition, hook.hits)) return;
    if (hook.condition || hook.logMessage) {
      const sandbox = new Sandbox(event.tensors, (id) => this.store.get(id)?.tensor);
      try {
        if (hook.condition) {
          let holds = false;
          try {
            holds = sandbox.test(hook.condition);
          } catch (err) {
            this.events.output({ category: 'stderr', hookId: hook.hookId, text: `Breakpoint on ${hook.path} (${hook.kind}): condition "${hook.condition}" failed: ${(err as Error).message}\n` });
          }
          if (!holds) return;
        }
        if (hook.logMessage) {
          this.events.output({ category: 'console', hookId: hook.hookId, text: `${sandbox.interpolate(hook.logMessage)}\n` });
          return;
        }
      } finally {
        sandbox.dispose();
      }
    }
    this.pause(run, { path: hook.path, kind: hook.kind, hookId: hook.hookId, event });
  }

  /** Evaluates an expression on the paused event's tensors. */
  evaluate(expression: string): string {
    const sandbox = this.run?.sandbox;
    if (!sandbox) throw new Error('no run is paused');
    const value = sandbox.evaluate(expression);
    return typeof value === 'string' ? value : value === undefined ? 'undefined' : JSON.stringify(value);
  }

  /** Runs the model; never throws: failures and stops are results. */
  execute(loaded: LoadedModel, params: RunParams & { runId: number }): RunResult {
    const run: ActiveRun = {
      runId: params.runId, modelId: params.modelId, kind: params.kind, seq: 0, start: performance.now(),
      step: undefined, boundaryHandles: [], sandbox: undefined, trace: [], root: loaded.model,
    };
    this.run = run;
    this.gate.drain();
    Atomics.store(this.pauseFlag, PAUSE_REQUEST_INDEX, 0);
    if (params.debug) this.watchBoundaries(run);
    const tracer = this.traceCalls(run);
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
      result = { runId: run.runId, state: 'finished', output, loss, events: run.seq, durationMs: performance.now() - run.start, trace: run.trace };
    } catch (err) {
      const stopped = isStopRun(err);
      const message = err instanceof Error ? err.message : String(err);
      result = {
        runId: run.runId,
        state: stopped ? 'stopped' : 'failed',
        error: stopped ? undefined : message.split('\n')[0],
        errorPath: stopped ? undefined : (err as { modulePath?: string }).modulePath,
        events: run.seq,
        durationMs: performance.now() - run.start,
        trace: run.trace,
      };
    } finally {
      if (input) disposeRunInput(input);
      for (const h of run.boundaryHandles) h.remove();
      tracer.remove();
      run.sandbox?.dispose();
      this.run = undefined;
    }
    this.events.runState({ state: result.state, runId: run.runId, result });
    return result;
  }

  /** The modules from the root down to `path`, with their types. */
  private stackOfPath(run: ActiveRun, path: string): { path: string; type: string }[] {
    const parts = path === '' ? [] : path.split('.');
    const out: { path: string; type: string }[] = [];
    let m: nn.Module | undefined = run.root;
    for (let i = 0; i <= parts.length && m; i++) {
      out.push({ path: parts.slice(0, i).join('.'), type: m.typeName });
      m = i < parts.length ? m._modules.get(parts[i]) ?? undefined : undefined;
    }
    return out;
  }

  /**
   * Records each module call's output shape, and whether it has NaN/Inf (one
   * boolean read), for the editor's inlay hints.
   */
  private traceCalls(run: ActiveRun): nn.RemovableHandle {
    return nn.registerModuleForwardHook(function moduleLensTrace(_m, _args, output) {
      if (run.trace.length >= MAX_TRACE) return;
      const t = firstTensor(output);
      const nonFinite = t !== undefined && t.dtype === 'float32' && t.size > 0
        && tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))).dataSync()[0]) === 1;
      run.trace.push({ path: currentCallPath(), shape: t ? [...t.shape] : null, nonFinite });
    });
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
    // Backward hooks fire after every forward call has returned: rebuild the stack from the path.
    const calls = callStackPaths();
    const stack = calls.length > 0 ? calls : this.stackOfPath(run, at.path);
    // The run's trace has every forward call that completed so far (its hook runs before the module's own).
    const done = run.trace.filter((t) => t.path === at.path).length;
    const callIndex = at.kind === 'pre' ? done + 1 : at.kind === 'forward' ? done : undefined;
    const location: PauseLocation = { modelId: run.modelId, stack, ...at, ...(callIndex ? { callIndex } : {}) };
    const depth = stack.length;
    run.sandbox = new Sandbox(at.event?.tensors ?? [], (id) => this.store.get(id)?.tensor);
    Atomics.store(this.pauseFlag, PAUSE_REQUEST_INDEX, 0);
    this.events.runState({ state: 'paused', runId: run.runId, location });
    let mode: ResumeMode;
    try {
      mode = this.gate.wait();
    } finally {
      run.sandbox.dispose();
      run.sandbox = undefined;
    }
    this.events.runState({ state: 'running', runId: run.runId, modelId: run.modelId, kind: run.kind });
    run.step = mode === 'continue' ? undefined : { mode: mode === 'step' ? 'stepInto' : mode, depth };
    if (run.step) this.watchBoundaries(run);
  }

  /**
   * Global hooks at every module boundary (forward pre-hook and forward hook),
   * installed only while stepping or in a debug run: they pause where a step
   * lands, or where the user pressed Pause.
   */
  private watchBoundaries(run: ActiveRun): void {
    if (run.boundaryHandles.length > 0) return;
    const boundary = (kind: 'pre' | 'forward', tensors: [string, unknown][]) => {
      if (this.run !== run) return;
      const depth = callDepth();
      const step = run.step;
      const requested = Atomics.load(this.pauseFlag, PAUSE_REQUEST_INDEX) === 1;
      const lands = step !== undefined && (
        step.mode === 'stepInto'
        || (step.mode === 'stepOver' && depth <= step.depth)
        || (step.mode === 'stepOut' && kind === 'forward' && depth < step.depth));
      if (!lands && !requested) return;
      run.step = undefined;
      const path = currentCallPath();
      const event = this.capture(run, path, kind, -1, tensors);
      this.pause(run, { path, kind, hookId: null, event });
    };
    run.boundaryHandles.push(
      nn.registerModuleForwardPreHook(function moduleLensBoundary(_m, args) { boundary('pre', argSlots(args)); }),
      nn.registerModuleForwardHook(function moduleLensBoundary(_m, args, output) {
        boundary('forward', [...argSlots(args), ['output', output]]);
      }),
    );
  }
}
