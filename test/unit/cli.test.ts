import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/adapters/backend';
import { runCli } from '../../src/cli/main';
import { readSafetensors, writeSafetensors } from '../../src/adapters/tensorFiles/safetensors';
import { writeNpy } from '../../src/adapters/tensorFiles/npy';
import type { InspectJson } from '../../src/cli/inspectCommand';
import type { RunJson } from '../../src/cli/runCommand';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin', 'module-lens.js');
const example = path.join(root, 'examples', 'custom-linear.ts');
let dir: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would. */
function cli(...args: string[]): Result {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process (same code path after argv), for the many error cases. */
async function inProcess(...args: string[]): Promise<Result> {
  const io = { stdout: '', stderr: '' };
  const code = await runCli(args, { stdout: (t) => { io.stdout += t; }, stderr: (t) => { io.stderr += t; } });
  return { code, ...io };
}

function json<T>(r: Result): T {
  assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr on success');
  return JSON.parse(r.stdout) as T;
}

/** Asserts a failure: the exit code and one stderr line matching `line`. */
function fails(r: Result, code: number, line: RegExp): void {
  assert.equal(r.code, code, `stdout: ${r.stdout} stderr: ${r.stderr}`);
  const first = r.stderr.split('\n')[0];
  assert.match(first, line);
  if (code === 1) {
    assert.equal(r.stderr, `${first}\n`, 'exactly one line');
  } else {
    assert.match(r.stderr, /^usage: module-lens/m);
  }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

before(async () => {
  // The test process makes tensors too (fixtures); pick its backend before the first one.
  await selectBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const EXAMPLE_PARAMS: Array<[string, number[]]> = [
  ['weight', [5, 10]], ['bias', [5]],
  ['submodel_1.weight', [4, 5]], ['submodel_1.bias', [4]],
  ['submodel_2.weight', [2, 4]], ['submodel_2.bias', [2]],
  ['submodel_3.0.weight', [3, 2]], ['submodel_3.0.bias', [3]],
  ['submodel_3.1.weight', [5, 3]], ['submodel_3.1.bias', [5]],
];

test('inspect --json describes the example module tree', () => {
  const doc = json<InspectJson>(cli('inspect', example, '--json'));
  assert.deepEqual(Object.keys(doc), ['backend', 'root', 'repr', 'modules', 'namedParameters', 'stateDict', 'totalParams', 'trainableParams']);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(doc.backend));
  assert.equal(doc.root, 'CustomLinearLayer');
  assert.match(doc.repr, /^CustomLinearLayer\(\n {2}\(submodel_1\): Linear\(in_features=5, out_features=4, bias=True\)/);
  assert.deepEqual(doc.modules.map((m) => [m.path, m.type]), [
    ['', 'CustomLinearLayer'], ['submodel_1', 'Linear'], ['submodel_2', 'Linear'],
    ['submodel_3', 'Sequential'], ['submodel_3.0', 'Linear'], ['submodel_3.1', 'Linear'],
  ]);
  const rootModule = doc.modules[0];
  assert.deepEqual(Object.keys(rootModule), ['path', 'type', 'training', 'parameters', 'buffers', 'children']);
  assert.equal(rootModule.training, true);
  assert.deepEqual(rootModule.parameters, [
    { name: 'weight', shape: [5, 10], dtype: 'float32', requiresGrad: true },
    { name: 'bias', shape: [5], dtype: 'float32', requiresGrad: true },
  ]);
  assert.deepEqual(rootModule.buffers, []);
  assert.deepEqual(rootModule.children, ['submodel_1', 'submodel_2', 'submodel_3']);
  assert.deepEqual(doc.modules[3].children, ['0', '1']);
  assert.deepEqual(doc.namedParameters, EXAMPLE_PARAMS);
  assert.deepEqual(doc.stateDict, EXAMPLE_PARAMS);
  assert.equal(doc.totalParams, 118);
  assert.equal(doc.trainableParams, 118);
});

test('inspect prints a torchinfo-like table', () => {
  const r = cli('inspect', example, '--backend', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /backend: cpu/);
  assert.match(r.stdout, /^Layer \(type:path\) +Param # +Trainable$/m);
  assert.match(r.stdout, /^CustomLinearLayer +55 +True$/m);
  assert.match(r.stdout, /^├─Linear: submodel_1 +24 +True$/m);
  assert.match(r.stdout, /^└─Sequential: submodel_3 +-- +--$/m);
  assert.match(r.stdout, /^ +└─Linear: submodel_3\.1 +20 +True$/m);
  assert.match(r.stdout, /^Total params: 118$/m);
  assert.match(r.stdout, /^Trainable params: 118$/m);
  assert.match(r.stdout, /^Non-trainable params: 0$/m);
});

test('run --hook submodel_2 --json: the forward hook sees [3,4] in and [3,2] out', () => {
  const doc = json<RunJson>(cli('run', example, '--hook', 'submodel_2', '--json'));
  assert.deepEqual(Object.keys(doc), ['output', 'events', 'grads']);
  assert.equal(doc.events.length, 1);
  const [e] = doc.events;
  assert.deepEqual(Object.keys(e), ['seq', 'path', 'kind', 'inputs', 'outputs']);
  assert.equal(e.seq, 1);
  assert.equal(e.path, 'submodel_2');
  assert.equal(e.kind, 'forward');
  assert.deepEqual((e.inputs[0] as { shape: number[] }).shape, [3, 4]);
  assert.deepEqual((e.outputs[0] as { shape: number[] }).shape, [3, 2]);
  const out = doc.output as { shape: number[]; dtype: string; stats: Record<string, number>; values?: number[] };
  assert.deepEqual(out.shape, [3, 5]);
  assert.equal(out.dtype, 'float32');
  assert.deepEqual(Object.keys(out.stats), ['min', 'max', 'mean', 'std', 'nan', 'inf', 'zeros']);
  assert.equal(out.values, undefined, 'no values without --values');
  assert.deepEqual(doc.grads, {});
});

test('run --all-hooks --backward --json: event order, null grads and parameter grads', () => {
  const doc = json<RunJson>(cli('run', example, '--all-hooks', '--backward', '--values', '8', '--json'));
  const order = doc.events.map((e) => `${e.kind} ${e.path}`);
  assert.deepEqual(order, [
    'pre ', 'pre submodel_1', 'forward submodel_1', 'pre submodel_2', 'forward submodel_2',
    'pre submodel_3', 'pre submodel_3.0', 'forward submodel_3.0', 'pre submodel_3.1', 'forward submodel_3.1',
    'forward submodel_3', 'forward ',
    // As in PyTorch: a full backward hook fires once the gradient for the module's input is
    // known, so a container fires after its children. The root's input needs no gradient, so
    // its hook fires first, as soon as the output gradient exists, with gradInput [None].
    'backward ', 'backward submodel_3.1', 'backward submodel_3.0', 'backward submodel_3',
    'backward submodel_2', 'backward submodel_1',
  ]);
  assert.deepEqual(doc.events.map((e) => e.seq), doc.events.map((_e, i) => i + 1));
  const rootBackward = doc.events.find((e) => e.kind === 'backward' && e.path === '')!;
  assert.deepEqual(rootBackward.inputs, [null]);
  assert.deepEqual((rootBackward.outputs[0] as { shape: number[] }).shape, [3, 5]);
  const sub2Backward = doc.events.find((e) => e.kind === 'backward' && e.path === 'submodel_2')!;
  assert.deepEqual((sub2Backward.inputs[0] as { shape: number[] }).shape, [3, 4], 'gradInput');
  assert.deepEqual((sub2Backward.outputs[0] as { shape: number[] }).shape, [3, 2], 'gradOutput');
  assert.deepEqual(Object.keys(doc.grads), EXAMPLE_PARAMS.map(([name]) => name));
  for (const [name, shape] of EXAMPLE_PARAMS) {
    const g = doc.grads[name]!;
    assert.deepEqual(g.shape, shape, name);
    assert.equal(g.values === undefined, shape.reduce((a, b) => a * b, 1) > 8, `${name}: values only up to 8 elements`);
  }
  // The default loss is the sum of the outputs, so the last bias's gradient is the batch size.
  assert.deepEqual(doc.grads['submodel_3.1.bias']!.values, [3, 3, 3, 3, 3]);
});

test('run --input .json and .npy, --eval, --load-state, and state-dict --out', () => {
  const ones = write('ones.json', JSON.stringify([new Array(10).fill(1), new Array(10).fill(2)]));
  const viaJson = json<RunJson>(cli('run', example, '--input', ones, '--eval', '--json'));
  assert.deepEqual((viaJson.output as { shape: number[] }).shape, [2, 5]);

  const npy = path.join(dir, 'x.npy');
  const x = tf.ones([4, 10]);
  writeNpy(npy, x);
  x.dispose();
  const viaNpy = json<RunJson>(cli('run', example, '--input', npy, '--json'));
  assert.deepEqual((viaNpy.output as { shape: number[] }).shape, [4, 5]);

  const saved = path.join(dir, 'w.safetensors');
  const listed = cli('state-dict', example, '--out', saved);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^weight +\[5, 10\] +float32$/m);
  assert.match(listed.stdout, /^submodel_3\.1\.bias +\[5\] +float32$/m);
  const { tensors } = readSafetensors(saved);
  assert.deepEqual([...tensors].map(([k, t]) => [k, t.shape]).sort(), [...EXAMPLE_PARAMS].sort());

  // Every weight zero and the last bias 7: the output must be exactly 7 everywhere.
  const zeros = new Map([...tensors].map(([k, t]) => [k, k === 'submodel_3.1.bias' ? tf.fill(t.shape, 7) : tf.zerosLike(t)]));
  const zeroFile = path.join(dir, 'zeros.safetensors');
  writeSafetensors(zeroFile, zeros);
  tf.dispose([...tensors.values(), ...zeros.values()]);
  const loaded = json<RunJson>(cli('run', example, '--load-state', zeroFile, '--input', ones, '--values', '10', '--json'));
  assert.deepEqual((loaded.output as { values: number[] }).values, new Array(10).fill(7));
});

test('text output of run lists events, output, loss and grads', () => {
  const r = cli('run', example, '--hook', 'submodel_1:backward', '--hook', 'submodel_3.0:pre', '--backward');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^#1 pre submodel_3\.0 {2}in: \(float32\[3,2\] /m);
  assert.match(r.stdout, /^#2 backward submodel_1 {2}grad_input: \(float32\[3,5\] .*grad_output: \(float32\[3,4\] /m);
  assert.match(r.stdout, /^output: float32\[3,5\] min=/m);
  assert.match(r.stdout, /^loss \(sum of outputs\): -?\d/m);
  assert.match(r.stdout, /^grad submodel_2\.bias: float32\[2\] /m);
});

test('usage errors exit 2 with the usage text; --help exits 0', async () => {
  const help = cli('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: module-lens <command>/);
  fails(cli('run', example, '--bogus'), 2, /^module-lens: unknown option --bogus for run$/);
  fails(await inProcess('frobnicate', example), 2, /^module-lens: unknown command "frobnicate"$/);
  fails(await inProcess('inspect'), 2, /^module-lens: inspect needs a model file$/);
  fails(await inProcess('inspect', example, 'extra'), 2, /^module-lens: unexpected argument "extra"$/);
  fails(await inProcess('run', example, '--train', '--eval'), 2, /^module-lens: --train and --eval exclude each other$/);
  fails(await inProcess('run', example, '--values', '-3'), 2, /^module-lens: --values needs a non-negative integer, got "-3"$/);
  fails(await inProcess('run', example, '--input'), 2, /^module-lens: --input needs a value$/);
  fails(await inProcess('run', example, '--json', '--json'), 2, /^module-lens: --json given twice$/);
  fails(await inProcess('run', example, '--hook', 'submodel_1:sideways'), 2, /unknown hook kind "sideways"/);
  fails(await inProcess('run', example, '--hook', 'submodel_1:backward'), 2, /^module-lens: --hook submodel_1:backward needs --backward$/);
  fails(await inProcess('inspect', example, '--backend=gpu'), 2, /^module-lens: --backend must be one of auto, tensorflow, wasm, cpu, got "gpu"$/);
});

test('file problems exit 1 with one line naming the file', async () => {
  fails(cli('run', example, '--hook', 'submodel_4'), 1,
    /^.*custom-linear\.ts: --hook: no module at path "submodel_4" \(close matches: submodel_1, submodel_2, submodel_3\b/);
  const throws = write('throws.ts', `throw new Error('cannot build');\n`);
  fails(cli('inspect', throws), 1, new RegExp(`^${escape(throws)}: failed to load: cannot build$`));
  const noInput = write('noInput.ts', `import { nn } from 'module-lens';\nexport default new nn.Linear(2, 2);\n`);
  fails(cli('run', noInput), 1, new RegExp(`^${escape(noInput)}: no input: the file exports no input\\(\\) and no --input was given$`));

  fails(await inProcess('inspect', 'missing.ts'), 1, /^missing\.ts: file not found$/);
  const notModel = write('notModel.ts', `export default { layers: 3 };\n`);
  fails(await inProcess('inspect', notModel), 1, /default export is Object, expected an nn\.Module, a tf\.LayersModel or a function returning one$/);
  const wrongShape = write('wrong.json', JSON.stringify([[1, 2, 3]]));
  fails(await inProcess('run', noInput, '--input', wrongShape), 1, new RegExp(`^${escape(noInput)}: forward of Linear failed for input shapes \\[1, 3\\]`));
  const ragged = write('ragged.json', '[[1, 2], [3]]');
  fails(await inProcess('run', noInput, '--input', ragged), 1, new RegExp(`^${escape(ragged)}: `));
  fails(await inProcess('run', noInput, '--input', path.join(dir, 'absent.npy')), 1, /absent\.npy: /);
  fails(await inProcess('run', noInput, '--input', path.join(dir, 'x.csv')), 1, /x\.csv: unsupported input file type "\.csv", expected \.npy or \.json$/);

  const weights = path.join(dir, 'small.safetensors');
  const w = tf.zeros([3, 3]);
  writeSafetensors(weights, { weight: w });
  w.dispose();
  fails(await inProcess('run', noInput, '--load-state', weights, '--input', wrongShape), 1,
    new RegExp(`^${escape(weights)}: Error\\(s\\) in loading state_dict for Linear: Missing key\\(s\\) in state_dict: "bias"`));
});

test('in-process runs leave no tensors behind', async () => {
  const io = { out: '', err: '', stdout(t: string) { this.out += t; }, stderr(t: string) { this.err += t; } };
  // First run selects the backend and warms tfjs up; count from there.
  assert.equal(await runCli(['inspect', example, '--backend', 'cpu', '--json'], io), 0, io.err);
  const base = tf.memory().numTensors;
  assert.equal(await runCli(['run', example, '--backend', 'cpu', '--all-hooks', '--backward', '--json'], io), 0, io.err);
  assert.equal(await runCli(['run', example, '--backend', 'cpu', '--hook', 'submodel_2'], io), 0, io.err);
  assert.equal(await runCli(['state-dict', example, '--backend', 'cpu'], io), 0, io.err);
  assert.equal(await runCli(['run', example, '--backend', 'cpu', '--hook', 'nope'], io), 1);
  assert.equal(tf.memory().numTensors, base);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('inspect and run accept a layers model.json', async () => {
  const modelJson = path.join(root, 'examples', 'cnn', 'model.json');
  const info = json<InspectJson>(cli('inspect', modelJson, '--json', '--backend', 'wasm'));
  assert.equal(info.root, 'Sequential');
  assert.deepEqual(info.modules.map((m) => m.path), ['', 'conv_1', 'bn_1', 'relu_1', 'pool_1', 'conv_2', 'flatten', 'dense_1', 'dropout', 'logits']);
  assert.deepEqual(info.modules[2].buffers.map((b) => b.name), ['moving_mean', 'moving_variance']);
  assert.deepEqual(info.stateDict.map(([k]) => k).slice(0, 4), ['conv_1.kernel', 'conv_1.bias', 'bn_1.gamma', 'bn_1.beta']);
  const run = json<RunJson>(cli('run', modelJson, '--json', '--hook', 'conv_2', '--hook', 'logits:backward', '--backward'));
  assert.deepEqual((run.output as { shape: number[] }).shape, [1, 10]);
  assert.deepEqual(run.events.map((e) => `${e.path}:${e.kind}`), ['conv_2:forward', 'logits:backward']);
  assert.deepEqual((run.events[0].outputs[0] as { shape: number[] }).shape, [1, 16, 16, 16]);
});
