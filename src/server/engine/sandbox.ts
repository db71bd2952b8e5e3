/**
 * Breakpoint conditions, logpoint messages and Debug Console expressions run
 * here, in a `node:vm` context with a time limit, no `require`, no `process`
 * and no code generation. Tensors enter it only as plain objects built inside
 * the context; every operation on them goes through one bridge function that
 * takes and returns strings, wrapped so that no host object (whose
 * `constructor` would lead back to the host's `Function`) is ever reachable.
 */
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type { CapturedTensor, TensorSummaryJson } from '../../protocol';
import { formatTensor } from './tensorFormat';

/** How long one expression may run. */
export const EXPRESSION_TIMEOUT_MS = 250;

/** A named tensor the sandbox can see: a captured one (with its summary) or one an expression made. */
interface Slot { tensor: tf.Tensor | null; summary: TensorSummaryJson | null }

/** Code evaluated in every context: the tensor wrapper, built on the context's own objects. */
const PRELUDE = `
'use strict';
const call = (op, id, args) => {
  const out = JSON.parse(__bridge(op, id, JSON.stringify(args === undefined ? [] : args)));
  if (out.error !== undefined) throw new Error(out.error);
  return out.value;
};
const wrap = (d) => d === null ? null : new T(d);
// min, max, mean and std are numbers in conditions (\`output.max > 1e3\`) and
// reductions when called (\`output.mean()\`, \`output.mean(0)\`).
const stat = (value, op, id) => Object.freeze(Object.assign((axis) => wrap(call(op, id, [axis])), {
  valueOf: () => value, toString: () => String(value), toJSON: () => value,
}));
class T {
  constructor(d) {
    this.id = d.id; this.shape = d.shape; this.dtype = d.dtype; this.size = d.size;
    this.min = stat(d.min, 'min', d.id); this.max = stat(d.max, 'max', d.id);
    this.mean = stat(d.mean, 'mean', d.id); this.std = stat(d.std, 'std', d.id);
    this.hasNaN = d.nan > 0; this.hasInf = d.inf > 0; this.nanCount = d.nan; this.infCount = d.inf;
    Object.freeze(this);
  }
  values() { return call('values', this.id); }
  item() { return call('item', this.id); }
  toString() { return call('format', this.id); }
  toJSON() { return { shape: this.shape, dtype: this.dtype }; }
  sum(axis) { return wrap(call('sum', this.id, [axis])); }
  abs() { return wrap(call('abs', this.id)); }
  slice(begin, size) { return wrap(call('slice', this.id, [begin, size])); }
  reshape(shape) { return wrap(call('reshape', this.id, [shape])); }
  flatten() { return wrap(call('reshape', this.id, [[-1]])); }
  transpose(perm) { return wrap(call('transpose', this.id, [perm])); }
  get(...index) { return call('get', this.id, index); }
}
Object.freeze(T.prototype);
const __wrapAll = (v) => Array.isArray(v) ? v.map(__wrapAll) : wrap(v);
`;

/** Unary and reducing ops the bridge offers, each returning a new tensor. */
const OPS: Record<string, (t: tf.Tensor, args: unknown[]) => tf.Tensor> = {
  mean: (t, [axis]) => tf.mean(t.toFloat(), axis as number | undefined),
  sum: (t, [axis]) => tf.sum(t, axis as number | undefined),
  abs: (t) => tf.abs(t),
  max: (t, [axis]) => tf.max(t, axis as number | undefined),
  min: (t, [axis]) => tf.min(t, axis as number | undefined),
  std: (t, [axis]) => tf.sqrt(tf.moments(t.toFloat(), axis as number | undefined).variance),
  slice: (t, [begin, size]) => tf.slice(t, begin as number[], size as number[] | undefined),
  reshape: (t, [shape]) => tf.reshape(t, shape as number[]),
  transpose: (t, [perm]) => tf.transpose(t, perm as number[] | undefined),
};

/** Guards a host function so nothing reachable from it leads out of the sandbox. */
function opaque(fn: (...args: string[]) => string): unknown {
  return new Proxy(fn, {
    get: () => undefined,
    getPrototypeOf: () => null,
    getOwnPropertyDescriptor: () => undefined,
    ownKeys: () => [],
    has: () => false,
    apply: (target, _this, args: unknown[]) => target(...args.map((a) => (typeof a === 'string' ? a : ''))),
  });
}

/**
 * One evaluation scope: the tensors of a hook event (`args`, `output`,
 * `gradInput`, `gradOutput`), plus tensors expressions create, which are
 * released with {@link dispose}.
 */
export class Sandbox {
  private readonly slots = new Map<string, Slot>();
  private readonly made: tf.Tensor[] = [];
  private readonly context: vm.Context;
  private next = 0;

  constructor(tensors: readonly CapturedTensor[], lookup: (tensorId: string) => tf.Tensor | undefined) {
    const bridge = opaque((op, id, argsJson) => JSON.stringify(this.bridge(op, id, argsJson)));
    this.context = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
    (this.context as Record<string, unknown>).__bridge = bridge;
    vm.runInContext(PRELUDE, this.context, { timeout: EXPRESSION_TIMEOUT_MS });
    const scope: Record<string, unknown> = {};
    for (const t of tensors) {
      const slot: Slot = { tensor: t.tensorId ? lookup(t.tensorId) ?? null : null, summary: t.summary };
      const desc = this.describe(slot);
      const m = /^(\w+)(?:\[(\d+)\])?$/.exec(t.slot);
      if (!m) continue;
      if (m[2] === undefined) scope[m[1]] = desc;
      else ((scope[m[1]] ??= []) as unknown[])[Number(m[2])] = desc;
    }
    for (const name of ['args', 'output', 'gradInput', 'gradOutput']) {
      // Plain data goes in as JSON and is wrapped by context code, so it holds no host objects.
      const value = name in scope ? scope[name] : name === 'output' ? null : [];
      vm.runInContext(`var ${name} = __wrapAll(JSON.parse(${JSON.stringify(JSON.stringify(value))}));`, this.context);
    }
  }

  /** Runs `expression` and returns its value as plain data (tensors as their printed form). */
  evaluate(expression: string): unknown {
    const script = new vm.Script(`(() => { let __v = (${expression}\n); if (typeof __v === 'function' && 'valueOf' in __v) __v = __v.valueOf();
      return JSON.stringify(__v instanceof T ? { tensor: String(__v) } : __v === undefined ? { undefined: true } : { value: __v }); })()`);
    const json = script.runInContext(this.context, { timeout: EXPRESSION_TIMEOUT_MS }) as string;
    const out = JSON.parse(json) as { tensor?: string; value?: unknown; undefined?: true };
    return out.tensor ?? (out.undefined ? undefined : out.value);
  }

  /** Whether `expression` is truthy (breakpoint conditions). */
  test(expression: string): boolean {
    const script = new vm.Script(`!!(${expression}\n)`);
    return script.runInContext(this.context, { timeout: EXPRESSION_TIMEOUT_MS }) === true;
  }

  /** Replaces each `{expression}` in a logpoint message with its value. */
  interpolate(message: string): string {
    return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
      try {
        const v = this.evaluate(expr);
        return typeof v === 'string' ? v : JSON.stringify(v);
      } catch (err) {
        return `<${(err as Error).message}>`;
      }
    });
  }

  /** Frees the tensors expressions created. */
  dispose(): void {
    tf.dispose(this.made);
    this.made.length = 0;
    this.slots.clear();
  }

  private describe(slot: Slot): Record<string, unknown> | null {
    if (!slot.summary && !slot.tensor) return null;
    const id = `s${this.next++}`;
    this.slots.set(id, slot);
    const s = slot.summary;
    return {
      id,
      shape: s?.shape ?? slot.tensor?.shape ?? [],
      dtype: s?.dtype ?? slot.tensor?.dtype ?? 'float32',
      size: s?.size ?? slot.tensor?.size ?? 0,
      min: s?.stats.min ?? null, max: s?.stats.max ?? null, mean: s?.stats.mean ?? null, std: s?.stats.std ?? null,
      nan: s?.stats.nan ?? 0, inf: s?.stats.inf ?? 0,
    };
  }

  private bridge(op: string, id: string, argsJson: string): { value?: unknown; error?: string } {
    try {
      const slot = this.slots.get(id);
      if (!slot) return { error: `unknown tensor ${id}` };
      const t = slot.tensor;
      if (!t || t.isDisposed) return { error: 'the tensor is no longer kept (its capture was released)' };
      const args = JSON.parse(argsJson) as unknown[];
      switch (op) {
        case 'values': return { value: Array.from(t.dataSync()) };
        case 'item': {
          if (t.size !== 1) return { error: `item() needs a tensor with one element, this one has ${t.size}` };
          return { value: t.dataSync()[0] };
        }
        case 'get': {
          const index = args as number[];
          if (index.length !== t.rank) return { error: `get() needs ${t.rank} indices` };
          const flat = index.reduce((acc, i, d) => acc * t.shape[d] + i, 0);
          return { value: t.dataSync()[flat] };
        }
        case 'format': return { value: formatTensor(Array.from(t.dataSync()), t.shape, t.dtype) };
        default: {
          const fn = OPS[op];
          if (!fn) return { error: `unknown operation ${op}` };
          const result = tf.keep(tf.tidy(() => fn(t, args)));
          this.made.push(result);
          return { value: this.describe({ tensor: result, summary: null }) };
        }
      }
    } catch (err) {
      return { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    }
  }
}
