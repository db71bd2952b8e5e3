/**
 * The hooks the user attached, by id: installed on live modules, re-installed
 * by path after a reload, and turned into capture events when they fire.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module, RemovableHandle } from '../../nn';
import { ServerErrorCodes, type AttachHookParams, type HookInfo } from '../../protocol';
import { checkBreakpointOptions } from './breakpointOptions';
import { ServerError } from '../serverError';
import { findModule } from './snapshot';

/** What the hook manager needs from the run in progress. */
export interface HookSink {
  /** Called when a hook fires; returns nothing. Only called during a run. */
  fired(hook: HookInfo, tensors: [string, unknown][]): void;
  /** Whether a run is in progress (hooks do nothing outside runs). */
  readonly active: boolean;
}

interface Entry {
  info: HookInfo;
  handle?: RemovableHandle;
}

function slots(prefix: string, values: readonly unknown[]): [string, unknown][] {
  return values.map((v, i) => [`${prefix}[${i}]`, v]);
}

function outputSlots(output: unknown): [string, unknown][] {
  if (Array.isArray(output)) return slots('output', output);
  return [['output', output]];
}

export class HookManager {
  private readonly hooks = new Map<number, Entry>();

  constructor(private readonly sink: HookSink) {}

  /**
   * Attaches a hook to the module at `path`.
   *
   * @throws ServerError `moduleNotFound` when no module has that path
   */
  attach(root: Module, params: AttachHookParams & { hookId: number }): HookInfo {
    const { hookId, modelId, path, kind } = params;
    const module = findModule(root, path);
    if (!module) throw new ServerError(ServerErrorCodes.moduleNotFound, `model ${modelId} has no module "${path}"`);
    this.detach(hookId);
    const options = {
      ...(params.condition ? { condition: params.condition } : {}),
      ...(params.hitCondition ? { hitCondition: params.hitCondition } : {}),
      ...(params.logMessage ? { logMessage: params.logMessage } : {}),
    };
    const message = checkBreakpointOptions(params);
    const entry: Entry = { info: { hookId, modelId, path, kind, breakpoint: params.breakpoint ?? false, enabled: true, hits: params.hits ?? 0, ...options, ...(message ? { message } : {}) } };
    this.hooks.set(hookId, entry);
    this.install(entry, module);
    return { ...entry.info };
  }

  /** Removes a hook; false when there was none. */
  detach(hookId: number): boolean {
    const entry = this.hooks.get(hookId);
    if (!entry) return false;
    entry.handle?.remove();
    this.hooks.delete(hookId);
    return true;
  }

  /**
   * Moves a model's hooks onto its freshly loaded modules, by path. A hook whose
   * module is gone stays listed as `missing` instead of disappearing silently.
   */
  reattach(modelId: string, root: Module): HookInfo[] {
    const out: HookInfo[] = [];
    for (const entry of this.hooks.values()) {
      if (entry.info.modelId !== modelId) continue;
      entry.handle?.remove();
      entry.handle = undefined;
      const module = findModule(root, entry.info.path);
      entry.info = { ...entry.info, missing: module ? undefined : true };
      if (module) this.install(entry, module);
      out.push({ ...entry.info });
    }
    return out;
  }

  /** Drops every hook of a model (it was closed). */
  dropModel(modelId: string): void {
    for (const [id, entry] of this.hooks) if (entry.info.modelId === modelId) this.detach(id);
  }

  list(): HookInfo[] {
    return [...this.hooks.values()].map((e) => ({ ...e.info }));
  }

  private install(entry: Entry, module: Module): void {
    const fire = (tensors: [string, unknown][]) => {
      if (!this.sink.active) return;
      entry.info = { ...entry.info, hits: entry.info.hits + 1 };
      this.sink.fired(entry.info, tensors);
    };
    switch (entry.info.kind) {
      case 'pre':
        entry.handle = module.registerForwardPreHook(function moduleLensCapture(_m, args) { fire(slots('args', args)); });
        break;
      case 'forward':
        entry.handle = module.registerForwardHook(function moduleLensCapture(_m, args, output) {
          fire([...slots('args', args), ...outputSlots(output)]);
        });
        break;
      case 'backward':
        entry.handle = module.registerFullBackwardHook(function moduleLensCapture(_m, gradInput: (tf.Tensor | null)[], gradOutput: (tf.Tensor | null)[]) {
          fire([...slots('gradInput', gradInput), ...slots('gradOutput', gradOutput)]);
        });
        break;
    }
  }
}
