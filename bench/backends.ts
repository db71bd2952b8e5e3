/**
 * Part 3: forward time on each backend that loads here, and which one `auto` picks.
 *
 * Each backend runs the nn MLP and the demo CNN (layers) through Module Lens, built afresh on
 * that backend. `auto` must pick the fastest backend available: it tries tensorflow, then
 * wasm, then cpu, so this checks that order against measured times.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, selectBackend } from '../src/adapters/backend';
import { cnnLayers, mlpNn, modelLabel, type BenchModel } from './models';
import { measure } from './timing';

/** One backend's figures. */
export interface BackendRow {
  backend: string;
  available: boolean;
  /** Why it did not load. */
  note?: string;
  /** Median forward ms per model label. */
  forwardMs: Record<string, number>;
  reps: number;
}

/** What part 3 found. */
export interface BackendResult {
  rows: BackendRow[];
  auto: string;
  autoNotes: string[];
  /** Fastest available backend per model. */
  fastest: Record<string, string>;
  /** Whether `auto` is the fastest for every model. */
  autoIsFastest: boolean;
}

async function models(): Promise<BenchModel[]> {
  return [mlpNn(), await cnnLayers()];
}

/** Measures every backend; leaves `auto`'s choice active. */
export async function runBackends(log: (line: string) => void, quick: boolean): Promise<BackendResult> {
  const rows: BackendRow[] = [];
  for (const name of BACKEND_ORDER) {
    const sel = await selectBackend(name);
    if (sel.backend !== name) {
      const note = sel.notes.find((n) => n.includes(`backend ${name} `)) ?? `selected ${sel.backend} instead`;
      rows.push({ backend: name, available: false, note, forwardMs: {}, reps: 0 });
      log(`  ${name}: not available (${note})`);
      continue;
    }
    const forwardMs: Record<string, number> = {};
    let reps = 0;
    for (const m of await models()) {
      const slow = name === 'cpu';
      const r = measure([{ name: 'forward', run: () => m.module(m.input) as tf.Tensor }],
        { warmup: 1, minReps: slow || quick ? 3 : 5, maxReps: slow || quick ? 3 : 15, budgetMs: 5_000 });
      forwardMs[modelLabel(m)] = r.median.forward;
      reps = r.reps;
      log(`  ${name} ${modelLabel(m)} forward: ${r.median.forward.toFixed(1)} ms (${r.reps} reps)`);
      m.dispose();
    }
    rows.push({ backend: name, available: true, forwardMs, reps });
  }
  const auto = await selectBackend('auto');
  const fastest: Record<string, string> = {};
  for (const label of Object.keys(rows.find((r) => r.available)?.forwardMs ?? {})) {
    const best = rows.filter((r) => r.available).sort((x, y) => x.forwardMs[label] - y.forwardMs[label])[0];
    fastest[label] = best.backend;
  }
  const autoIsFastest = Object.values(fastest).every((b) => b === auto.backend);
  log(`  auto picks ${auto.backend}; fastest: ${Object.entries(fastest).map(([m, b]) => `${m} ${b}`).join(', ')}`);
  return { rows, auto: auto.backend, autoNotes: auto.notes, fastest, autoIsFastest };
}
