import type * as tf from '@tensorflow/tfjs';
import type { Module } from './module';

/** A gradient slot: `null` where PyTorch would pass `None` (an input that needs no gradient). */
export type Grad = tf.Tensor | null;

/** `hook(module, args) -> args?`: runs before `forward`; a returned value replaces the positional args. */
export type ForwardPreHook<M extends Module = Module> = (module: M, args: unknown[]) => unknown;
/** `hook(module, args, output) -> output?`: runs after `forward`; a returned value replaces the output. */
export type ForwardHook<M extends Module = Module> = (module: M, args: unknown[], output: any) => unknown;
/** `hook(module, gradOutput) -> gradOutput?`: runs when the output gradients are known. */
export type BackwardPreHook<M extends Module = Module> = (module: M, gradOutput: Grad[]) => Grad[] | void | null | undefined;
/** `hook(module, gradInput, gradOutput) -> gradInput?`: runs when the input gradients are known. */
export type BackwardHook<M extends Module = Module> = (module: M, gradInput: Grad[], gradOutput: Grad[]) => Grad[] | void | null | undefined;

/** The four kinds of hook, named as the error messages and views print them. */
export type HookKind = 'forward pre' | 'forward' | 'backward pre' | 'backward';

/** Registration options, as PyTorch's `prepend=`. */
export interface HookOptions {
  /** Fire before the hooks already registered on this module instead of after them. */
  prepend?: boolean;
}

/** An ordered hook dictionary, as PyTorch's `OrderedDict[int, hook]`. */
export type HookDict<F> = Map<number, F>;

let nextHookId = 0;

/**
 * Returned by every `register*Hook`: `remove()` takes the hook out again,
 * and is safe to call twice, as `torch.utils.hooks.RemovableHandle`.
 */
export class RemovableHandle {
  /** Unique across all hooks of the process. */
  readonly id: number;
  private dicts: HookDict<unknown>[];

  constructor(dicts: HookDict<unknown>[]) {
    this.id = nextHookId++;
    this.dicts = dicts;
  }

  /** Removes the hook from every dictionary it was added to. Idempotent. */
  remove(): void {
    for (const d of this.dicts) d.delete(this.id);
    this.dicts = [];
  }
}

/** Adds `hook` to `dict`, first when `prepend`, and returns its handle. */
export function addHook<F>(dict: HookDict<F>, hook: F, options?: HookOptions): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError(`hook must be a function, got ${typeof hook}`);
  const handle = new RemovableHandle([dict as HookDict<unknown>]);
  if (options?.prepend) {
    const rest = [...dict];
    dict.clear();
    dict.set(handle.id, hook);
    for (const [k, v] of rest) dict.set(k, v);
  } else {
    dict.set(handle.id, hook);
  }
  return handle;
}

/** The process-wide hooks that fire for every module, before its own (PyTorch's `register_module_*`). */
export const globalHooks = {
  forwardPre: new Map() as HookDict<ForwardPreHook>,
  forward: new Map() as HookDict<ForwardHook>,
  backwardPre: new Map() as HookDict<BackwardPreHook>,
  backward: new Map() as HookDict<BackwardHook>,
};

/** Registers a forward pre-hook common to all modules, as `torch.nn.modules.module.register_module_forward_pre_hook`. */
export function registerModuleForwardPreHook(hook: ForwardPreHook, options?: HookOptions): RemovableHandle {
  return addHook(globalHooks.forwardPre, hook, options);
}

/** Registers a forward hook common to all modules, as `register_module_forward_hook`. */
export function registerModuleForwardHook(hook: ForwardHook, options?: HookOptions): RemovableHandle {
  return addHook(globalHooks.forward, hook, options);
}

/** Registers a backward pre-hook common to all modules, as `register_module_full_backward_pre_hook`. */
export function registerModuleFullBackwardPreHook(hook: BackwardPreHook, options?: HookOptions): RemovableHandle {
  return addHook(globalHooks.backwardPre, hook, options);
}

/** Registers a full backward hook common to all modules, as `register_module_full_backward_hook`. */
export function registerModuleFullBackwardHook(hook: BackwardHook, options?: HookOptions): RemovableHandle {
  return addHook(globalHooks.backward, hook, options);
}

/** Whether any process-wide hook is registered, so the plain call path can skip hook work. */
export function anyGlobalHooks(): boolean {
  return globalHooks.forwardPre.size + globalHooks.forward.size + globalHooks.backwardPre.size + globalHooks.backward.size > 0;
}
