/**
 * `npm run bench`: measures what Module Lens costs and writes `bench/results/<date>.json`.
 * A benchmark, not a test: it prints every figure with its target and exits 0 either way
 * (1 only when a part crashed).
 *
 * Options: `--quick` (fewer repetitions, 200 leak runs; results go to an ignored .tmp file),
 * `--parts=1,2,3,4,6` (a subset), `--no-write`. Part 7 runs the built extension (`npm run bundle`)
 * in code-server, as the integration tests do.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/adapters/backend';
import { runBackends } from './backends';
import { runHookOverhead, type HookRow } from './hookOverhead';
import { LEAK_RUNS, runLeaks } from './leaks';
import { allModels } from './models';
import { runPytorchCompare } from './pytorchCompare';
import { machine, renderTables, STREAMING_NOTE, verdicts, writeResults, type BenchResults } from './report';
import { runStreaming } from './streaming';
import { runScale } from './scale';
import { runTreeExpansion } from './treeExpansion';

interface Options { quick: boolean; parts: Set<string>; write: boolean }

function options(argv: readonly string[]): Options {
  const parts = argv.find((a) => a.startsWith('--parts='))?.slice('--parts='.length).split(',') ?? ['1', '2', '3', '4', '5', '6', '7'];
  return { quick: argv.includes('--quick'), parts: new Set(parts), write: !argv.includes('--no-write') };
}

const log = (line: string) => console.log(line);
const section = (title: string) => log(`\n== ${title}`);

/** Part 1 on wasm, and on tensorflow when tfjs-node loads. */
async function hookOverhead(quick: boolean): Promise<HookRow[]> {
  const rows: HookRow[] = [];
  for (const backend of ['wasm', 'tensorflow'] as const) {
    const sel = await selectBackend(backend);
    if (sel.backend !== backend) {
      log(`  ${backend}: not available (${sel.notes.join('; ')})`);
      continue;
    }
    const models = await allModels();
    try {
      rows.push(...runHookOverhead(models, log, quick ? ['forward'] : undefined));
    } finally {
      for (const m of models) m.dispose();
    }
  }
  return rows;
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const started = performance.now();
  const results: BenchResults = { date: new Date().toISOString().slice(0, 10), machine: machine(), quick: opts.quick, streaming: STREAMING_NOTE };
  let crashed = false;
  const part = async (id: string, title: string, fn: () => Promise<void> | void) => {
    if (!opts.parts.has(id)) return;
    section(`${id}. ${title}`);
    try {
      await fn();
    } catch (err) {
      crashed = true;
      log(`  part ${id} crashed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  };

  await part('1', 'Hook overhead', async () => { results.hookOverhead = await hookOverhead(opts.quick); });
  await part('2', 'Against PyTorch', () => {
    results.pytorch = runPytorchCompare(opts.quick);
    log(results.pytorch.status === 'skipped' ? `  skipped: ${results.pytorch.reason}` : `  measured with PyTorch ${results.pytorch.torch}`);
  });
  await part('3', 'Backends', async () => { results.backends = await runBackends(log, opts.quick); });
  await part('4', 'Scale', async () => { results.scale = await runScale(log); });
  await part('5', 'Streaming captures', async () => {
    const r = await runStreaming(log, opts.quick);
    results.streaming = r.error ? `failed: ${r.error}` : `${r.eventsPerSecond.toFixed(0)} capture events/s from the engine worker to the client (${r.modules} hooked modules, ${r.msPerRun.toFixed(1)} ms per run); the panel's rendering rate is measured by its own tests`;
  });
  await part('6', 'Leaks', async () => {
    await selectBackend('wasm');
    results.leaks = runLeaks(log, opts.quick ? 200 : LEAK_RUNS);
  });
  await part('7', 'Modules tree in the extension host', async () => { results.tree = await runTreeExpansion(log); });

  results.durationS = (performance.now() - started) / 1000;
  results.machine.loadAvg.end = os.loadavg()[0];
  results.verdicts = verdicts(results);
  log(`\n${renderTables(results)}`);
  if (opts.write) log(`\nwrote ${writeResults(results)}`);
  if (tf.memory().numTensors > 0) tf.disposeVariables();
  return crashed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
