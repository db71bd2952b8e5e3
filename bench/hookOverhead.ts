/**
 * Part 1: what Module Lens costs on the hot path, as ratios measured side by side.
 *
 * Per model and pass, four variants run interleaved (see timing.ts):
 *   a. raw tfjs: `model.predict`, or the `nn` layers' tfjs ops called directly;
 *   b. through Module Lens, no hooks;
 *   c. a no-op hook on every module (forward; for forward+backward also a full backward hook);
 *   d. a capture on every module, as the server computes it: `summarizeTensor(output, 32 bins)`
 *      in a forward hook (and, for forward+backward, on each `grad_output` in a full backward
 *      hook). The summaries are kept until the repetition ends, as a capture buffer keeps them.
 * The backward pass is `nn.backward` for b–d and `tf.variableGrads` for a, both on the sum of
 * the output. Gradients are cleared after every repetition, untimed.
 */
import * as tf from '@tensorflow/tfjs';
import * as nn from '../src/nn';
import { summarizeTensor, type TensorSummary } from '../src/adapters/tensorSummary';
import { modelLabel, type BenchModel } from './models';
import { measure, pairedRatio, pairedRatios, quantile, type MeasureOptions, type Variant } from './timing';

export type Pass = 'forward' | 'forward+backward';

/** The targets from the issue. */
export const HOOK_TARGETS = { 'b/a': 1.05, 'c/b': 1.10, 'd/b': 1.30 } as const;
export type HookRatio = keyof typeof HOOK_TARGETS;

/** One row of the hook-overhead table. */
export interface HookRow {
  backend: string;
  model: string;
  pass: Pass;
  modules: number;
  /** Median milliseconds of variants a–d. */
  ms: Record<'a' | 'b' | 'c' | 'd', number>;
  ratios: Record<HookRatio, number>;
  /** Interquartile range of the per-round ratios: how much the machine moved them. */
  ratioIqr: Record<HookRatio, [number, number]>;
  reps: number;
}

const SUMMARY_BINS = 32;

/** Registers `make(module)` results on every module (the root too, as PyTorch's `model.modules()`). */
function onEveryModule(root: nn.Module, register: (m: nn.Module) => nn.RemovableHandle[]): () => void {
  const handles = [...root.modules()].flatMap(register);
  return () => { for (const h of handles) h.remove(); };
}

function tensorsOf(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.filter((v): v is tf.Tensor => v instanceof tf.Tensor);
  return [];
}

/** Clears `.grad` on every parameter, as `zero_grad(set_to_none=True)`. */
function clearGrads(root: nn.Module): void {
  for (const p of root.parameters()) {
    if (p.grad && !p.grad.isDisposed) p.grad.dispose();
    p.grad = null;
  }
}

/** The four variants for one model and pass. */
export function hookVariants(m: BenchModel, pass: Pass): Variant[] {
  const root = m.module;
  const first = root.parameters().next().value as nn.Parameter;
  const captures: TensorSummary[] = [];
  const capture = (t: tf.Tensor) => { captures.push(summarizeTensor(t, { bins: SUMMARY_BINS })); };
  let remove: () => void = () => undefined;
  const hooked = (register: (mod: nn.Module) => nn.RemovableHandle[]) => ({
    enter: () => { remove = onEveryModule(root, register); },
    exit: () => { remove(); captures.length = 0; clearGrads(root); },
  });

  if (pass === 'forward') {
    const forward = () => root(m.input) as tf.Tensor;
    return [
      { name: 'a', run: () => m.raw() },
      { name: 'b', run: forward },
      { name: 'c', run: forward, ...hooked((mod) => [mod.registerForwardHook(() => undefined)]) },
      {
        name: 'd', run: forward,
        ...hooked((mod) => [mod.registerForwardHook((_mod, _args, out) => { for (const t of tensorsOf(out)) capture(t); })]),
      },
    ];
  }

  const backward = () => {
    nn.backward(() => tf.sum(root(m.input) as tf.Tensor));
    // The first layer's gradient is computed last: reading it waits for the whole backward pass.
    return first.grad as tf.Tensor;
  };
  return [
    {
      name: 'a',
      run: () => tf.variableGrads(() => tf.sum(m.rawForGrad())).grads[first.name],
    },
    { name: 'b', run: backward, exit: () => clearGrads(root) },
    {
      name: 'c', run: backward,
      ...hooked((mod) => [mod.registerForwardHook(() => undefined), mod.registerFullBackwardHook(() => undefined)]),
    },
    {
      name: 'd', run: backward,
      ...hooked((mod) => [
        mod.registerForwardHook((_mod, _args, out) => { for (const t of tensorsOf(out)) capture(t); }),
        mod.registerFullBackwardHook((_mod, _gradIn, gradOut) => { for (const g of gradOut) if (g) capture(g); }),
      ]),
    },
  ];
}

/** How long to spend per table cell; forward+backward through the CNN takes seconds per run on wasm. */
function budget(m: BenchModel, pass: Pass): MeasureOptions {
  if (pass === 'forward') return m.model === 'CNN' ? { warmup: 2, minReps: 15, maxReps: 61, budgetMs: 6_000 } : { warmup: 1, minReps: 9, maxReps: 41, budgetMs: 15_000 };
  return m.model === 'CNN' ? { warmup: 1, minReps: 7, maxReps: 9, budgetMs: 8_000 } : { warmup: 1, minReps: 15, maxReps: 21, budgetMs: 30_000 };
}

function iqr(m: Parameters<typeof pairedRatios>[0], num: string, den: string): [number, number] {
  const r = pairedRatios(m, num, den);
  return [+quantile(r, 0.25).toFixed(3), +quantile(r, 0.75).toFixed(3)];
}

/** Measures every model in both passes on the active backend. */
export function runHookOverhead(models: readonly BenchModel[], log: (line: string) => void, passes: readonly Pass[] = ['forward', 'forward+backward']): HookRow[] {
  const rows: HookRow[] = [];
  const backend = tf.getBackend();
  for (const pass of passes) {
    for (const m of models) {
      const before = tf.memory().numTensors;
      const result = measure(hookVariants(m, pass), budget(m, pass));
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) log(`  warning: ${modelLabel(m)} ${pass} left ${leaked} tensors behind`);
      const row: HookRow = {
        backend,
        model: modelLabel(m),
        pass,
        modules: [...m.module.modules()].length,
        ms: { a: result.median.a, b: result.median.b, c: result.median.c, d: result.median.d },
        ratios: { 'b/a': pairedRatio(result, 'b', 'a'), 'c/b': pairedRatio(result, 'c', 'b'), 'd/b': pairedRatio(result, 'd', 'b') },
        ratioIqr: { 'b/a': iqr(result, 'b', 'a'), 'c/b': iqr(result, 'c', 'b'), 'd/b': iqr(result, 'd', 'b') },
        reps: result.reps,
      };
      rows.push(row);
      log(`  ${backend} ${row.model} ${pass}: a ${row.ms.a.toFixed(1)} ms, b/a ${row.ratios['b/a'].toFixed(3)}, c/b ${row.ratios['c/b'].toFixed(3)}, d/b ${row.ratios['d/b'].toFixed(3)} (${row.reps} reps)`);
    }
  }
  return rows;
}
