import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/adapters/backend';
import { defaultLoss, loadModelFile, ModelFileError } from '../../src/adapters/modelFile';
import { nn } from '../../src/index';

const { Module } = nn;
type Module = nn.Module;

let dir: string;

/** Writes a model file into the temp dir and returns its path. */
function write(name: string, source: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, source);
  return file;
}

/** A tiny Module written the way users write them, shared by several files. */
const SCALE_TS = `
import { nn, tf } from 'module-lens';
export class Scale extends nn.Module {
  weight: nn.Parameter;
  constructor(n: number) {
    super();
    this.weight = new nn.Parameter(tf.fill([n], 2));
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.weight);
  }
}
`;

async function rejectsWith(file: string, problem: string | RegExp, opts = {}): Promise<void> {
  await assert.rejects(loadModelFile(file, opts), (err: unknown) => {
    assert.ok(err instanceof ModelFileError, `not a ModelFileError: ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    if (typeof problem === 'string') assert.equal(err.problem, problem);
    else assert.match(err.problem, problem);
    return true;
  });
}

before(async () => {
  await selectBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-modelfile-'));
  write('lib/scale.ts', SCALE_TS);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('TypeScript file with a TS helper, input() and loss()', async () => {
  const file = write('good.ts', `
import { tf } from 'module-lens';
import { Scale } from './lib/scale.js';
export function input(): tf.Tensor { return tf.ones([3, 4]); }
export function loss(output: tf.Tensor, _input: tf.Tensor): tf.Scalar { return tf.mean(output) as tf.Scalar; }
export default new Scale(4);
`);
  const loaded = await loadModelFile(file);
  assert.equal(loaded.file, file);
  assert.ok(loaded.model instanceof Module);
  assert.equal(loaded.model.typeName, 'Scale');
  assert.equal(loaded.layersModel, undefined);
  assert.equal(loaded.hasCustomLoss, true);
  const x = loaded.input!() as tf.Tensor;
  assert.deepEqual(x.shape, [3, 4]);
  const y = loaded.model(x) as tf.Tensor;
  assert.ok(y instanceof tf.Tensor, 'tensors from the file are this runtime\'s tensors');
  const l = loaded.loss(y, x);
  assert.equal(l.arraySync(), 2);
  tf.dispose([x, y, l]);
});

test('an async model function, a Module class, and export `model`', async () => {
  const asyncFile = write('async.mts', `
import { Scale } from './lib/scale';
export default async () => { await new Promise((r) => setTimeout(r, 5)); return new Scale(2); };
`);
  assert.equal((await loadModelFile(asyncFile)).model?.typeName, 'Scale');

  const classFile = write('class.ts', `
import { Scale } from './lib/scale';
export default class Net extends Scale { constructor() { super(2); } }
`);
  assert.equal((await loadModelFile(classFile)).model?.typeName, 'Net');

  const named = write('named.ts', `import { Scale } from './lib/scale'; export const model = new Scale(3);`);
  const loaded = await loadModelFile(named);
  assert.equal(loaded.model?.typeName, 'Scale');
  assert.equal(loaded.input, undefined);
  assert.equal(loaded.hasCustomLoss, false);
});

test('CommonJS module.exports and a tf.LayersModel from an ESM .mjs', async () => {
  const cjs = write('plain.cjs', `
const { Scale } = require('./lib/scale');
module.exports = () => new Scale(1);
`);
  assert.equal((await loadModelFile(cjs)).model?.typeName, 'Scale');

  const mjs = write('layers.mjs', `
import * as tf from '@tensorflow/tfjs-layers';
export default function () {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 2, inputShape: [4] }));
  return m;
}
`);
  const loaded = await loadModelFile(mjs);
  assert.ok(loaded.layersModel instanceof tf.LayersModel, 'same tfjs instance as the runtime');
  // The LayersModel is seen through the nn.Module lens, and gets an example input from its shapes.
  assert.equal(loaded.model.typeName, 'Sequential');
  assert.deepEqual([...loaded.model.namedParameters()].map(([n, p]) => [n, p.shape]), [['dense_Dense1.kernel', [4, 2]], ['dense_Dense1.bias', [2]]].map(([n, s]) => [String(n).replace('dense_Dense1', loaded.layersModel!.layers[0].name), s]));
  const x = loaded.input!() as tf.Tensor;
  assert.deepEqual(x.shape, [1, 4]);
  x.dispose();
  loaded.layersModel!.dispose();
});

test('a file that throws at import', async () => {
  const file = write('throws.ts', `import './lib/scale';\nthrow new Error('boom\\nsecond line');\n`);
  await rejectsWith(file, 'failed to load: boom second line');
  const helperThrows = write('helperThrows.ts', `import './bad-helper';\nexport default 1;\n`);
  write('bad-helper.ts', `throw new TypeError('helper exploded');`);
  await rejectsWith(helperThrows, 'failed to load: helper exploded');
});

test('syntax errors and missing imports fail to load', async () => {
  await rejectsWith(write('syntax.ts', `export default (;`), /^failed to load: .+/);
  await rejectsWith(write('missing.ts', `import { x } from './nope';\nexport default x;`), /^failed to load: Cannot find module '\.\/nope'/);
});

test('default exports that are not models', async () => {
  const expected = 'expected an nn.Module, a tf.LayersModel or a function returning one';
  await rejectsWith(write('object.ts', `export default { a: 1 };`), `default export is Object, ${expected}`);
  await rejectsWith(write('number.ts', `export default 42;`), `default export is number, ${expected}`);
  await rejectsWith(write('none.ts', `export const other = 1;`), `default export is undefined, ${expected}`);
  await rejectsWith(write('nul.js', `export default null;`), `default export is null, ${expected}`);
  await rejectsWith(write('tensor.ts', `import * as tf from '@tensorflow/tfjs';\nexport default tf.zeros([1]);`), `default export is Tensor, ${expected}`);
  await rejectsWith(write('badModel.ts', `export const model = 'x';`), `export model is string, ${expected}`);
});

test('model functions that return the wrong thing, throw, or never settle', async () => {
  await rejectsWith(write('returnsArray.ts', `export default () => [1, 2];`),
    'default export function returned Array, expected an nn.Module or a tf.LayersModel');
  await rejectsWith(write('fnThrows.ts', `export default () => { throw new Error('no weights'); };`),
    'default export function failed: no weights');
  await rejectsWith(write('rejects.ts', `export default async () => { throw new Error('async no'); };`),
    'default export function failed: async no');
  const started = Date.now();
  await rejectsWith(write('hangs.ts', `export default () => new Promise(() => {});`),
    'default export function did not settle within 150 ms', { importTimeoutMs: 150 });
  assert.ok(Date.now() - started < 2000);
});

test('bad input/loss exports, unsupported extensions and missing files', async () => {
  await rejectsWith(write('badInput.ts', `import { Scale } from './lib/scale';\nexport const input = 3;\nexport default new Scale(1);`),
    'export input is number, expected a function');
  await rejectsWith(write('model.py', `x = 1`), 'unsupported file type ".py", expected one of .ts, .mts, .cts, .js, .mjs, .cjs');
  await rejectsWith(path.join(dir, 'absent.ts'), 'file not found');
});

test('every load evaluates the file afresh', async () => {
  const file = write('fresh.ts', `import { Scale } from './lib/scale';\nexport default new Scale(1);`);
  const first = await loadModelFile(file);
  write('fresh.ts', `import { Scale } from './lib/scale';\nexport default new Scale(5);`);
  const second = await loadModelFile(file);
  assert.notEqual(first.model, second.model);
  assert.deepEqual((second.model!.getSubmodule('') as Module).stateDict().get('weight')?.shape, [5]);
});

test('the default loss sums every output tensor', async () => {
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.tensor2d([[1, 1]], [1, 2], 'int32');
  const loss = defaultLoss({ logits: a, extra: [b, 'not a tensor'] });
  assert.equal(loss.arraySync(), 8);
  assert.throws(() => defaultLoss('nope'), /holds no tensors/);
  tf.dispose([a, b, loss]);
});

test('examples/custom-linear.ts loads', async (t) => {
  const example = path.resolve(__dirname, '../../../examples/custom-linear.ts');
  if (!fs.existsSync(example)) {
    t.skip('examples/custom-linear.ts does not exist yet');
    return;
  }
  const loaded = await loadModelFile(example);
  assert.ok(loaded.model instanceof Module);
  assert.ok(loaded.input, 'the example exports input()');
});
