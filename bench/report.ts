/**
 * The benchmark's output: verdicts against the targets, the printed tables, and the JSON
 * written to `bench/results/<date>.json`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendResult } from './backends';
import { HOOK_TARGETS, type HookRatio, type HookRow } from './hookOverhead';
import { RSS_LIMIT_MB, type LeakResult } from './leaks';
import { panelMet, PANEL_TARGETS, renderPanel, type PanelResult } from './panel';
import { FIRST_PAGE_TARGET_MS, type FirstPageResult } from './panelFirstPage';
import type { TorchResult } from './pytorchCompare';
import { SCALE_TARGETS, type ScaleResult } from './scale';
import { TREE_EXPANSION_TARGET_MS, type TreeExpansionResult } from './treeExpansion';

export const STREAMING_NOTE = 'not measured (part 5 did not run)';
export const TOTAL_TARGET_S = 600;

/** Everything one run measured. Parts that were not run are absent. */
export interface BenchResults {
  date: string;
  machine: Machine;
  quick: boolean;
  durationS?: number;
  hookOverhead?: HookRow[];
  pytorch?: TorchResult;
  backends?: BackendResult;
  scale?: ScaleResult;
  tree?: TreeExpansionResult;
  streaming: string;
  leaks?: LeakResult;
  panel?: PanelResult;
  firstPage?: FirstPageResult;
  verdicts?: Verdict[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  tfjs: string;
  /** 1-minute load average when the run started and ended (other work on the machine). */
  loadAvg: { start: number; end?: number };
}

/** One figure against its target. */
export interface Verdict {
  part: string;
  figure: string;
  value: number | string;
  target: string;
  met: boolean;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.arch()}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    loadAvg: { start: os.loadavg()[0] },
  };
}

const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(2));
const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(1));
const f0 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(0));

/** Every figure that has a target, judged. */
export function verdicts(r: BenchResults): Verdict[] {
  const out: Verdict[] = [];
  for (const row of r.hookOverhead ?? []) {
    for (const key of Object.keys(HOOK_TARGETS) as HookRatio[]) {
      out.push({
        part: '1', figure: `${row.backend} ${row.model} ${row.pass} ${key}`, value: +row.ratios[key].toFixed(3),
        target: `≤ ${HOOK_TARGETS[key].toFixed(2)}`, met: row.ratios[key] <= HOOK_TARGETS[key],
      });
    }
  }
  if (r.backends) {
    out.push({
      part: '3', figure: 'auto picks the fastest available backend', value: `${r.backends.auto} (fastest: ${Object.entries(r.backends.fastest).map(([m, b]) => `${m} ${b}`).join(', ')})`,
      target: 'fastest', met: r.backends.autoIsFastest,
    });
  }
  if (r.scale) {
    const s = r.scale;
    out.push({ part: '4', figure: `open a ${s.modules}-module model in the server (cold)`, value: s.server.openColdMs !== undefined ? +s.server.openColdMs.toFixed(0) : `failed: ${s.server.error}`, target: `< ${SCALE_TARGETS.openMs} ms`, met: (s.server.openColdMs ?? Infinity) < SCALE_TARGETS.openMs });
    out.push({ part: '4', figure: `root's ${s.server.rootChildren ?? ''} children over the protocol (all pages)`, value: s.server.rootChildrenAllMs !== undefined ? +s.server.rootChildrenAllMs.toFixed(1) : `failed: ${s.server.error}`, target: `< ${SCALE_TARGETS.rootChildrenMs} ms`, met: (s.server.rootChildrenAllMs ?? Infinity) < SCALE_TARGETS.rootChildrenMs });
    out.push({ part: '4', figure: `inspect --json, ${s.mobilenet.layers}-layer Keras-style model.json on wasm`, value: s.mobilenet.ms !== undefined && !s.mobilenet.error ? +s.mobilenet.ms.toFixed(0) : `failed: ${s.mobilenet.error}`, target: `< ${SCALE_TARGETS.mobilenetInspectMs} ms, every layer listed`, met: !s.mobilenet.error && (s.mobilenet.ms ?? Infinity) < SCALE_TARGETS.mobilenetInspectMs && s.mobilenet.everyLayerListed === true });
  }
  if (r.leaks) {
    const l = r.leaks;
    out.push({ part: '6', figure: `live tensors after ${l.runs} forward+backward runs`, value: `${l.baselineTensors} → ${l.finalTensors}`, target: 'back to baseline', met: l.finalTensors === l.baselineTensors });
    out.push({ part: '6', figure: 'RSS growth', value: +l.rssGrowthMb.toFixed(1), target: `< ${RSS_LIMIT_MB} MB`, met: l.rssGrowthMb < RSS_LIMIT_MB });
  }
  if (r.panel?.status === 'measured' && r.panel.current) {
    const met = panelMet(r.panel);
    out.push({ part: '7', figure: `Captures panel: events/s handled at ${r.panel.rate} offered`, value: +r.panel.current.eventsPerSecond.toFixed(0), target: `≥ ${PANEL_TARGETS.eventsPerSecond * 0.98}`, met: met.rate });
    out.push({ part: '7', figure: 'Captures panel: longest main-thread task (ms)', value: +r.panel.current.longestTaskMs.toFixed(1), target: `≤ ${PANEL_TARGETS.longestTaskMs}`, met: met.task });
  }
  if (r.tree) {
    const t = r.tree;
    out.push({ part: '8', figure: `Modules tree: expand the root of a ${t.modules?.toLocaleString('en-US') ?? '10,001'}-module model (extension-host ms, median)`, value: t.medianMs !== undefined ? +t.medianMs.toFixed(1) : `failed: ${t.error}`, target: `< ${TREE_EXPANSION_TARGET_MS} ms`, met: (t.medianMs ?? Infinity) < TREE_EXPANSION_TARGET_MS });
  }
  if (r.firstPage && r.firstPage.status !== 'skipped') {
    const f = r.firstPage;
    out.push({ part: '9', figure: 'Captures panel: first screen of values of a 1M-element tensor, from the server (median ms)', value: f.medianFirstPageMs !== undefined ? +f.medianFirstPageMs.toFixed(0) : `failed: ${f.reason}`, target: `< ${FIRST_PAGE_TARGET_MS} ms`, met: (f.medianFirstPageMs ?? Infinity) < FIRST_PAGE_TARGET_MS });
  }
  if (r.durationS !== undefined && !r.quick) {
    out.push({ part: 'all', figure: 'npm run bench wall time (s)', value: +r.durationS.toFixed(0), target: `< ${TOTAL_TARGET_S} s`, met: r.durationS < TOTAL_TARGET_S });
  }
  return out;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const mark = (value: number, target: number, iqr?: [number, number]) =>
  `${f2(value)}${iqr ? ` (${f2(iqr[0])}–${f2(iqr[1])})` : ''}${value <= target ? '' : ' MISS'}`;

/** The tables, as printed at the end of a run. */
export function renderTables(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Module Lens benchmark, ${r.date}${r.quick ? ' (quick run: fewer repetitions, not for the record)' : ''}`);
  out.push(`${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, tfjs ${m.tfjs}, load average ${f1(m.loadAvg.start)} → ${f1(m.loadAvg.end)}`);

  if (r.hookOverhead) {
    out.push('', '1. Hook overhead: median ms of a (raw tfjs), median paired ratios b/a (Module Lens, no hooks),',
      `   c/b (no-op hook on every module), d/b (32-bin summary of every output); targets ≤ ${HOOK_TARGETS['b/a']}, ≤ ${HOOK_TARGETS['c/b']}, ≤ ${HOOK_TARGETS['d/b']}`,
      '   (in brackets: the interquartile range of the per-round ratios)');
    out.push(table(['backend', 'model', 'pass', 'modules', 'a ms', 'b ms', 'b/a', 'c/b', 'd/b', 'reps'], r.hookOverhead.map((row) => [
      row.backend, row.model, row.pass, String(row.modules), f1(row.ms.a), f1(row.ms.b),
      mark(row.ratios['b/a'], HOOK_TARGETS['b/a'], row.ratioIqr['b/a']), mark(row.ratios['c/b'], HOOK_TARGETS['c/b'], row.ratioIqr['c/b']),
      mark(row.ratios['d/b'], HOOK_TARGETS['d/b'], row.ratioIqr['d/b']), String(row.reps),
    ])));
  }

  if (r.pytorch) {
    out.push('', '2. Against PyTorch (forward, eval mode): summary hooks on every module, d/b');
    if (r.pytorch.status === 'skipped') {
      out.push(`   skipped: ${r.pytorch.reason}`);
    } else {
      const torch = r.pytorch;
      const ours = (model: string, flavor: string) => r.hookOverhead?.find((row) => row.model === `${model} (${flavor})` && row.pass === 'forward' && row.backend === 'wasm');
      out.push(`   PyTorch ${torch.torch}, ${torch.python}, ${torch.threads} thread(s)`);
      out.push(table(['model', 'PyTorch b ms', 'PyTorch c/b', 'PyTorch d/b', 'ours nn d/b', 'ours layers d/b'], (['MLP', 'CNN'] as const).map((model) => [
        model, f1(torch.models[model].ms.b), f2(torch.models[model].ratios['c/b']), f2(torch.models[model].ratios['d/b']),
        f2(ours(model, 'nn')?.ratios['d/b']), f2(ours(model, 'layers')?.ratios['d/b']),
      ])));
    }
  }

  if (r.backends) {
    const b = r.backends;
    const labels = Object.keys(b.rows.find((row) => row.available)?.forwardMs ?? {});
    out.push('', '3. Backends: median forward ms through Module Lens');
    out.push(table(['backend', ...labels, 'note'], b.rows.map((row) => [
      row.backend, ...labels.map((l) => (row.available ? f1(row.forwardMs[l]) : '—')), row.available ? '' : row.note ?? 'unavailable',
    ])));
    out.push(`   auto picks ${b.auto}; ${b.autoIsFastest ? 'the fastest available for every model' : 'NOT the fastest available (MISS)'}`);
  }

  if (r.scale) {
    const s = r.scale;
    out.push('', `4. Scale: ${s.modules}-module model file, and a ${s.mobilenet.layers}-layer MobileNet-style model.json`);
    if (s.server.error) out.push(`   server: failed: ${s.server.error}`);
    else {
      out.push(`   server openModel: ${f0(s.server.openColdMs)} ms cold, ${f0(s.server.openWarmMs)} ms reopened (target < ${SCALE_TARGETS.openMs} ms)${(s.server.openColdMs ?? Infinity) < SCALE_TARGETS.openMs ? '' : ' MISS'}`);
      out.push(`   server getChildren of the root: all ${s.server.rootChildren} ${f1(s.server.rootChildrenAllMs)} ms, first page (${s.server.firstPageSize}) ${f1(s.server.rootChildrenFirstPageMs)} ms (target < ${SCALE_TARGETS.rootChildrenMs} ms)${(s.server.rootChildrenAllMs ?? Infinity) < SCALE_TARGETS.rootChildrenMs ? '' : ' MISS'}`);
    }
    out.push(`   module-lens inspect --json (${s.modules} modules): ${s.inspect10k.error ? `failed: ${s.inspect10k.error}` : `${f0(s.inspect10k.ms)} ms, ${s.inspect10k.modulesListed} modules listed`}`);
    out.push(`   module-lens inspect --json --backend wasm (MobileNet-style): ${s.mobilenet.error ? `failed: ${s.mobilenet.error}` : `${f0(s.mobilenet.ms)} ms, ${s.mobilenet.modulesListed} layers listed, every layer: ${s.mobilenet.everyLayerListed ? 'yes' : 'NO'}`} (target < ${SCALE_TARGETS.mobilenetInspectMs} ms)`);
  }

  if (r.streaming !== STREAMING_NOTE) out.push('', `5. Streaming captures through the server: ${r.streaming}`);

  if (r.leaks) {
    const l = r.leaks;
    out.push('', `6. Leaks: ${l.runs} forward+backward runs with summary hooks on every module (${f1(l.msPerRun)} ms each)`);
    out.push(`   tensors ${l.baselineTensors} → ${l.finalTensors} (every 100 runs: ${l.tensorsEvery100.join(' ')})${l.finalTensors === l.baselineTensors ? '' : ' MISS'}`);
    out.push(`   RSS ${f0(l.baselineRssMb)} → ${f0(l.finalRssMb)} MB, growth ${f1(l.rssGrowthMb)} MB (target < ${RSS_LIMIT_MB})${l.rssGrowthMb < RSS_LIMIT_MB ? '' : ' MISS'}; every 100 runs: ${l.rssEvery100Mb.map(f0).join(' ')}${l.gcAvailable ? '' : ' (no GC available)'}`);
  }

  if (r.panel) out.push('', ...renderPanel(r.panel));

  if (r.tree) {
    const t = r.tree;
    out.push('', '8. Modules tree in a real extension host (code-server): root expansion of a 10,001-module model, getChildren + getTreeItem per row');
    out.push(t.error ? `   failed: ${t.error}` : `   opened in ${f0(t.openMs)} ms; ${t.rowsShown} rows in ${t.expandMs!.map(f1).join(', ')} ms, median ${f1(t.medianMs)} ms (target < ${TREE_EXPANSION_TARGET_MS} ms)${(t.medianMs ?? Infinity) < TREE_EXPANSION_TARGET_MS ? '' : ' MISS'}`);
  }

  if (r.firstPage) {
    const f = r.firstPage;
    out.push('', '9. A 1M-element tensor in the Captures panel: click to the first screen of values, fetched from a real model server');
    out.push(f.status !== 'measured' ? `   ${f.status}: ${f.reason}` : `   ${f.firstPageMs!.map(f0).join(', ')} ms, median ${f0(f.medianFirstPageMs)} ms (target < ${FIRST_PAGE_TARGET_MS} ms)${(f.medianFirstPageMs ?? Infinity) < FIRST_PAGE_TARGET_MS ? '' : ' MISS'}; the whole slice's heatmap (every page) median ${f0(f.medianHeatmapMs)} ms; one 16,384-value getTensor page ${f1(f.serverPageMs)} ms`);
  }

  if (r.verdicts) {
    const missed = r.verdicts.filter((v) => !v.met);
    out.push('', `Targets: ${r.verdicts.length - missed.length} of ${r.verdicts.length} met.${missed.length ? ' Missed:' : ''}`);
    for (const v of missed) out.push(`   part ${v.part}: ${v.figure} = ${v.value} (target ${v.target})`);
  }
  if (r.durationS !== undefined) out.push(`Total ${f0(r.durationS)} s.`);
  return out.join('\n');
}

/**
 * Writes `bench/results/<date>.json` (quick runs: `<date>-quick.tmp`, which git ignores); returns
 * its path. A run of some parts (`subset`) replaces only those parts' figures in the day's file,
 * keeping the others, and recomputes the verdicts over the whole.
 */
export function writeResults(r: BenchResults, subset = false): string {
  const dir = path.resolve(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, r.quick ? `${r.date}-quick.tmp` : `${r.date}.json`);
  let out = r;
  if (subset && fs.existsSync(file)) {
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
    const ran = Object.fromEntries(Object.entries(r).filter(([k, v]) => v !== undefined && !['date', 'machine', 'quick', 'durationS', 'verdicts', 'streaming'].includes(k)));
    out = { ...old, ...ran, streaming: r.streaming === STREAMING_NOTE ? old.streaming : r.streaming };
    out.verdicts = verdicts(out);
  }
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}
