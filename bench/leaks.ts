/**
 * Part 6: 1,000 forward+backward runs with hooks on every module, then count what is left.
 *
 * Two small conv nets in train mode (BatchNorm updating its running statistics, Dropout drawing
 * masks), one `nn` and one tfjs layers model through the adapter, take turns: 500 runs each.
 * Every module has a forward hook summarizing its output and a full backward hook summarizing
 * its `grad_output`; the summaries are kept and cleared every 100 runs, as a capture buffer is.
 * Gradients are cleared after every run, as `zero_grad(set_to_none=True)`.
 *
 * Pass: `tf.memory().numTensors` back at its baseline, and RSS (after a GC) grown by less than
 * 50 MB from the warmed-up baseline.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../src/nn';
import { adaptLayersModel } from '../src/adapters/layersModel';
import { summarizeTensor, type TensorSummary } from '../src/adapters/tensorSummary';

export const LEAK_RUNS = 1000;
export const RSS_LIMIT_MB = 50;

/** What part 6 found. */
export interface LeakResult {
  runs: number;
  msPerRun: number;
  baselineTensors: number;
  finalTensors: number;
  /** Live tensors after each clearing (every 100 runs). */
  tensorsEvery100: number[];
  baselineRssMb: number;
  finalRssMb: number;
  rssGrowthMb: number;
  /** RSS after each clearing (and a GC), MB. */
  rssEvery100Mb: number[];
  summariesPer100: number;
  gcAvailable: boolean;
}

function forceGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function smallNn(): nn.Module {
  nn.manualSeed(3);
  return new nn.Sequential(
    new nn.Conv2d(3, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(4 * 4 * 4, 16), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(16, 10),
  ).train();
}

function smallLayers(): nn.Module {
  const model = tf.sequential({ name: 'leak_cnn' });
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 10 }));
  return adaptLayersModel(model).train();
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export function runLeaks(log: (line: string) => void, runs = LEAK_RUNS): LeakResult {
  const gc = forceGc();
  const models = [
    { module: smallNn(), input: tf.randomNormal([4, 3, 8, 8], 0, 1, 'float32', 5) },
    { module: smallLayers(), input: tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 6) },
  ];
  const captures: TensorSummary[] = [];
  const capture = (t: unknown) => { if (t instanceof tf.Tensor) captures.push(summarizeTensor(t, { bins: 32 })); };
  const handles = models.flatMap(({ module }) => [...module.modules()].flatMap((m) => [
    m.registerForwardHook((_m, _args, out) => { for (const t of Array.isArray(out) ? out : [out]) capture(t); }),
    m.registerFullBackwardHook((_m, _gi, gradOut) => { for (const g of gradOut) capture(g); }),
  ]));
  const clearGrads = () => {
    for (const { module } of models) {
      for (const p of module.parameters()) {
        if (p.grad && !p.grad.isDisposed) p.grad.dispose();
        p.grad = null;
      }
    }
  };
  const step = (i: number) => {
    const { module, input } = models[i % 2];
    const loss = nn.backward(() => tf.sum(module(input) as tf.Tensor));
    loss.dispose();
    clearGrads();
  };

  // Warm up (kernels, JIT, the wasm heap's first growth), then take the baselines.
  for (let i = 0; i < 20; i++) step(i);
  captures.length = 0;
  gc?.();
  const baselineTensors = tf.memory().numTensors;
  const baselineRssMb = rssMb();
  const tensorsEvery100: number[] = [];
  const rssEvery100Mb: number[] = [];
  let summariesPer100 = 0;
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    step(i);
    if ((i + 1) % 100 === 0) {
      summariesPer100 = captures.length;
      captures.length = 0;
      tensorsEvery100.push(tf.memory().numTensors);
      gc?.();
      rssEvery100Mb.push(rssMb());
    }
  }
  const msPerRun = (performance.now() - start) / runs;
  captures.length = 0;
  for (const h of handles) h.remove();
  gc?.();
  const finalTensors = tf.memory().numTensors;
  const finalRssMb = rssMb();
  for (const { module, input } of models) { module.dispose(); input.dispose(); }
  const result: LeakResult = {
    runs, msPerRun, baselineTensors, finalTensors, tensorsEvery100, baselineRssMb, finalRssMb,
    rssGrowthMb: finalRssMb - baselineRssMb, rssEvery100Mb, summariesPer100, gcAvailable: gc !== null,
  };
  log(`  ${runs} runs (${msPerRun.toFixed(1)} ms each, ${summariesPer100} summaries per 100 runs): tensors ${baselineTensors} → ${finalTensors}, RSS ${baselineRssMb.toFixed(0)} → ${finalRssMb.toFixed(0)} MB (${result.rssGrowthMb >= 0 ? '+' : ''}${result.rssGrowthMb.toFixed(1)} MB)`);
  return result;
}
