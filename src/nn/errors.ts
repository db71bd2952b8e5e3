import * as tf from '@tensorflow/tfjs';
import type { HookKind } from './hooks';

/** Describes call arguments by their shapes, for error messages: `[3, 4], [3]`. */
export function describeShapes(values: readonly unknown[]): string {
  return values.map((v) => (v instanceof tf.Tensor ? `[${v.shape.join(', ')}]` : v === null ? 'null' : typeof v)).join(', ');
}

/** A module's `forward` failed; names the module path and the input shapes. */
export class ModuleCallError extends Error {
  constructor(
    /** Dotted path from the module the user called ('' for that module itself). */
    readonly modulePath: string,
    /** The failing module's class name. */
    readonly moduleType: string,
    /** Shapes of the tensor arguments, `null` for non-tensors. */
    readonly inputShapes: (number[] | null)[],
    override readonly cause: unknown,
  ) {
    const where = modulePath === '' ? moduleType : `'${modulePath}' (${moduleType})`;
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`forward of ${where} failed for input shapes ${inputShapes.map((s) => (s ? `[${s.join(', ')}]` : 'null')).join(', ') || '()'}: ${msg}`);
    this.name = 'ModuleCallError';
  }
}

/** A hook threw; names the hook, its kind and the module it was registered on. */
export class HookError extends Error {
  constructor(
    readonly hookKind: HookKind,
    readonly hookName: string,
    readonly hookId: number,
    readonly modulePath: string,
    readonly moduleType: string,
    override readonly cause: unknown,
  ) {
    const where = modulePath === '' ? moduleType : `'${modulePath}' (${moduleType})`;
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${hookKind} hook '${hookName}' (id ${hookId}) on ${where} threw: ${msg}`);
    this.name = 'HookError';
  }
}
