/**
 * Part 4: large models through the real programs.
 *
 * - A generated 10,001-module model file (a Sequential of 2,500 blocks of 4 modules: a block
 *   Sequential holding Linear(4, 4), ReLU, Linear(4, 4)), opened by the real model server
 *   (`out/src/server/server.js`, spawned over Node IPC as the language client starts it): time to
 *   `moduleLens/openModel`, and to `moduleLens/getChildren` of the root (its first page, which the
 *   tree shows first, and all 2,500 children page by page). Then `module-lens inspect --json`.
 * - A 150-layer MobileNetV2-style layers model built with tfjs layers, saved with
 *   `saveModelJson`, its topology wrapped as `{model_config: ...}` as Keras conversions write it:
 *   `module-lens inspect <model.json> --json --backend wasm` must list every layer, under 3 s.
 */
import { fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { saveModelJson } from '../src/adapters/layersModel';
import { CloseModelRequest, GetChildrenRequest, MAX_PAGE_SIZE, OpenModelRequest } from '../src/protocol';
import { median } from './timing';

const REPO = path.resolve(__dirname, '..', '..');
const SERVER = path.join(REPO, 'out', 'src', 'server', 'server.js');
const CLI = path.join(REPO, 'bin', 'module-lens.js');

export const BLOCKS = 2500;
export const SCALE_TARGETS = { openMs: 2000, rootChildrenMs: 50, mobilenetInspectMs: 3000 } as const;

/** What part 4 found; a step that failed has `error` set instead of its figures. */
export interface ScaleResult {
  modules: number;
  server: {
    openColdMs?: number;
    openWarmMs?: number;
    rootChildrenFirstPageMs?: number;
    firstPageSize?: number;
    rootChildrenAllMs?: number;
    rootChildren?: number;
    error?: string;
  };
  inspect10k: { ms?: number; modulesListed?: number; error?: string };
  mobilenet: { layers: number; modulesListed?: number; everyLayerListed?: boolean; ms?: number; error?: string };
}

/** Writes the 10,001-module model file; returns its path. */
function writeBigModel(dir: string): string {
  const file = path.join(dir, 'ten-thousand-modules.js');
  fs.writeFileSync(file, `// ${BLOCKS} blocks of 4 modules under one Sequential: ${4 * BLOCKS + 1} modules.
const { nn } = require('module-lens');
module.exports = () => {
  const blocks = [];
  for (let i = 0; i < ${BLOCKS}; i++) blocks.push(new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 4)));
  return new nn.Sequential(...blocks);
};
module.exports.input = () => require('module-lens').tf.randomNormal([1, 4]);
`);
  return file;
}

/** Spawns the model server as the language client does and initializes it. */
async function startServer(): Promise<{ conn: MessageConnection; stop: () => void; stderr: () => string }> {
  const child = fork(SERVER, ['--node-ipc'], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  child.stdout?.resume();
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  const stop = () => {
    conn.dispose();
    if (child.exitCode === null) child.kill();
  };
  try {
    await timed(() => conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { backend: 'auto' } }));
    await conn.sendNotification('initialized', {});
  } catch (err) {
    stop();
    throw new Error(`initialize: ${err instanceof Error ? err.message : String(err)} ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { conn, stderr: () => stderr, stop };
}

/** A request that does not settle within a minute fails the step instead of hanging the run. */
const STEP_TIMEOUT_MS = 60_000;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  try {
    const value = await Promise.race([fn(), timeout]);
    return [value, performance.now() - start];
  } finally {
    clearTimeout(timer);
  }
}

async function measureServer(file: string, result: ScaleResult, log: (line: string) => void): Promise<void> {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer();
    const { conn } = server;
    const [model, cold] = await timed(() => conn.sendRequest(OpenModelRequest, { file }));
    const warm: number[] = [];
    let modelId = model.modelId;
    for (let i = 0; i < 2; i++) {
      await conn.sendRequest(CloseModelRequest, { modelId });
      const [again, ms] = await timed(() => conn.sendRequest(OpenModelRequest, { file }));
      modelId = again.modelId;
      warm.push(ms);
    }
    const first: number[] = [];
    const all: number[] = [];
    let firstSize = 0;
    let total = 0;
    for (let i = 0; i < 7; i++) {
      const [page, ms] = await timed(() => conn.sendRequest(GetChildrenRequest, { modelId, path: '' }));
      first.push(ms);
      firstSize = page.items.length;
      const [count, allMs] = await timed(async () => {
        let n = 0;
        for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
          const p = await conn.sendRequest(GetChildrenRequest, { modelId, path: '', offset, limit: MAX_PAGE_SIZE });
          n += p.items.length;
          if (offset + MAX_PAGE_SIZE >= p.total) return n;
        }
      });
      all.push(allMs);
      total = count;
    }
    Object.assign(result.server, {
      openColdMs: cold, openWarmMs: median(warm),
      rootChildrenFirstPageMs: median(first), firstPageSize: firstSize, rootChildrenAllMs: median(all), rootChildren: total,
    });
    log(`  server: open ${cold.toFixed(0)} ms (then ${median(warm).toFixed(0)} ms), root's first ${firstSize} children ${median(first).toFixed(1)} ms, all ${total} ${median(all).toFixed(1)} ms`);
  } catch (err) {
    result.server.error = `${err instanceof Error ? err.message : String(err)}${server ? ` ${server.stderr().trim().split('\n').slice(-3).join(' | ')}` : ''}`;
    log(`  server: failed: ${result.server.error}`);
  } finally {
    server?.stop();
  }
}

/** Runs `module-lens inspect <file> --json`; returns the wall time and the parsed document. */
function inspect(file: string, extra: string[]): { ms: number; doc?: { modules: { path: string }[] }; error?: string } {
  const start = performance.now();
  const run = spawnSync(process.execPath, [CLI, 'inspect', file, '--json', ...extra], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
  const ms = performance.now() - start;
  if (run.status !== 0) return { ms, error: (run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n')[0] };
  return { ms, doc: JSON.parse(run.stdout) };
}

/** A MobileNetV2-style functional model with exactly `150` layers besides its input layer. */
export function mobilenetStyle(): tf.LayersModel {
  const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });
  const input = tf.input({ shape: [96, 96, 3], name: 'input_1' });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn_Conv1' }).apply(x) as tf.SymbolicTensor;
  x = relu6('Conv1_relu').apply(x) as tf.SymbolicTensor;
  // [expansion, channels, repeats, first stride]: MobileNetV2's stages at width 0.5, less its last.
  const stages: [number, number, number, number][] = [[1, 8, 1, 1], [6, 16, 2, 2], [6, 16, 3, 2], [6, 32, 4, 2], [6, 48, 3, 1], [6, 80, 3, 2]];
  let channels = 16;
  let block = 0;
  for (const [expansion, out, repeats, stride] of stages) {
    for (let r = 0; r < repeats; r++) {
      const s = r === 0 ? stride : 1;
      const p = `block_${block}_`;
      const shortcut = x;
      let h = x;
      if (expansion !== 1) {
        h = tf.layers.conv2d({ filters: channels * expansion, kernelSize: 1, useBias: false, name: `${p}expand` }).apply(h) as tf.SymbolicTensor;
        h = tf.layers.batchNormalization({ name: `${p}expand_BN` }).apply(h) as tf.SymbolicTensor;
        h = relu6(`${p}expand_relu`).apply(h) as tf.SymbolicTensor;
      }
      if (s === 2) h = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${p}pad` }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: s, padding: s === 2 ? 'valid' : 'same', useBias: false, name: `${p}depthwise` }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.batchNormalization({ name: `${p}depthwise_BN` }).apply(h) as tf.SymbolicTensor;
      h = relu6(`${p}depthwise_relu`).apply(h) as tf.SymbolicTensor;
      h = tf.layers.conv2d({ filters: out, kernelSize: 1, useBias: false, name: `${p}project` }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.batchNormalization({ name: `${p}project_BN` }).apply(h) as tf.SymbolicTensor;
      if (s === 1 && channels === out) h = tf.layers.add({ name: `${p}add` }).apply([shortcut, h]) as tf.SymbolicTensor;
      x = h;
      channels = out;
      block++;
    }
  }
  x = tf.layers.conv2d({ filters: 640, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'Conv_1_bn' }).apply(x) as tf.SymbolicTensor;
  x = relu6('out_relu').apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 10, name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'mobilenetv2_style' });
}

/** Saves the model and rewrites its topology as a Keras conversion has it. */
async function writeKerasStyle(model: tf.LayersModel, dir: string): Promise<string> {
  const file = await saveModelJson(model, dir);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  json.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: json.modelTopology };
  json.convertedBy = 'TensorFlow.js Converter v4.22.0';
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
}

export async function runScale(log: (line: string) => void): Promise<ScaleResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-bench-'));
  try {
    const big = writeBigModel(dir);
    const result: ScaleResult = { modules: 4 * BLOCKS + 1, server: {}, inspect10k: {}, mobilenet: { layers: 0 } };
    await measureServer(big, result, log);

    const r10k = inspect(big, []);
    result.inspect10k = r10k.doc ? { ms: r10k.ms, modulesListed: r10k.doc.modules.length } : { ms: r10k.ms, error: r10k.error };
    log(`  inspect --json, ${result.modules} modules: ${r10k.error ? `failed: ${r10k.error}` : `${r10k.ms.toFixed(0)} ms, ${r10k.doc?.modules.length} modules listed`}`);

    const model = mobilenetStyle();
    const layerNames = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
    const file = await writeKerasStyle(model, path.join(dir, 'mobilenet'));
    model.dispose();
    const rm = inspect(file, ['--backend', 'wasm']);
    result.mobilenet.layers = layerNames.length;
    if (rm.doc) {
      const paths = new Set(rm.doc.modules.map((m) => m.path));
      Object.assign(result.mobilenet, { ms: rm.ms, modulesListed: rm.doc.modules.length - 1, everyLayerListed: layerNames.every((n) => paths.has(n.replace(/\./g, '_'))) });
    } else {
      Object.assign(result.mobilenet, { ms: rm.ms, error: rm.error });
    }
    log(`  inspect --json --backend wasm, ${layerNames.length}-layer MobileNet-style model.json: ${rm.error ? `failed: ${rm.error}` : `${rm.ms.toFixed(0)} ms, every layer listed: ${result.mobilenet.everyLayerListed}`}`);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
