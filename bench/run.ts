/**
 * `npm run bench`: measures what Module Lens costs and writes `bench/results/<date>.json`.
 * A benchmark, not a test: it prints every figure with its target and exits 0 either way
 * (1 only when a part crashed).
 *
 * Options: `--quick` (fewer repetitions, 200 leak runs; results go to an ignored .tmp file),
 * `--parts=1,2,3,4,5,6,7,8,9` (a subset; its figures are merged into the day's results file),
 * `--no-write`, `--panel-baseline=<an older dist/webview.js>` (part 7 compares with it) and
 * `--panel-baseline-label=<what it is, e.g. a commit>` (recorded instead of its path).
 * Parts 7–9 run the built extension (`npm run bundle`): the panel's bundle in Chromium (7, 9),
 * and the extension in code-server, as the integration tests do (8).
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
import { runPanel } from './panel';
import { runPanelFirstPage } from './panelFirstPage';
import { runStreaming } from './streaming';
import { runScale } from './scale';
import { runTreeExpansion } from './treeExpansion';

interface Options { quick: boolean; parts: Set<string>; subset: boolean; write: boolean; panelBaseline?: string; panelBaselineLabel?: string }

const ALL_PARTS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

function options(argv: readonly string[]): Options {
  const parts = argv.find((a) => a.startsWith('--parts='))?.slice('--parts='.length).split(',') ?? ALL_PARTS;
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    quick: argv.includes('--quick'), parts: new Set(parts), subset: !ALL_PARTS.every((p) => parts.includes(p)), write: !argv.includes('--no-write'),
    panelBaseline: value('panel-baseline'), panelBaselineLabel: value('panel-baseline-label'),
  };
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
  await part('7', 'Captures panel under load', async () => {
    results.panel = await runPanel(log, opts.quick, opts.panelBaseline, opts.panelBaselineLabel);
    if (results.panel.status === 'skipped') log(`  skipped: ${results.panel.reason}`);
  });
  await part('8', 'Modules tree in the extension host', async () => { results.tree = await runTreeExpansion(log); });
  await part('9', 'A 1M-element tensor\'s first page in the panel', async () => {
    results.firstPage = await runPanelFirstPage(log);
    if (results.firstPage.status !== 'measured') log(`  ${results.firstPage.status}: ${results.firstPage.reason}`);
  });

  results.durationS = opts.subset ? undefined : (performance.now() - started) / 1000;
  results.machine.loadAvg.end = os.loadavg()[0];
  results.verdicts = verdicts(results);
  log(`\n${renderTables(results)}`);
  if (opts.write) log(`\nwrote ${writeResults(results, opts.subset)}`);
  if (tf.memory().numTensors > 0) tf.disposeVariables();
  return crashed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
