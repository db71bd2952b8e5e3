/**
 * Source mapping of model files: which lines create and call each module, and which
 * names hold one (hovers on layer variables), for `nn` classes, builder functions,
 * `tf.sequential` and functional tfjs models.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapModuleSources, type ModuleLocation } from '../../src/server/source/moduleSourceMap';

function map(text: string, rootType: string, types: [string, string][], file = 'model.ts'): Map<string, ModuleLocation> {
  return new Map(mapModuleSources(file, text, rootType, new Map(types)).map((l) => [l.path, l]));
}

/** `[line, start, end]` of each reference. */
const refs = (l: ModuleLocation | undefined) => l?.references.map((r) => [r.line, r.start, r.end]);

describe('module source map', () => {
  it('a sub-module built into a variable in the constructor: both names map, the assignment stays the definition', () => {
    const text = [
      "import { nn } from 'module-lens';", // 0
      'export class Net extends nn.Module {', // 1
      '  constructor() {', // 2
      '    super();', // 3
      '    const fc = new nn.Linear(3, 4);', // 4
      '    this.fc = fc;', // 5
      '  }', // 6
      '  forward(x) { return this.fc(x); }', // 7
      '}', // 8
      'export default () => new Net();', // 9
    ].join('\n');
    const m = map(text, 'Net', [['', 'Net'], ['fc', 'Linear']]);
    assert.equal(m.get('fc')?.definitionLine, 5);
    assert.deepEqual(m.get('fc')?.callLines, [7]);
    assert.deepEqual(refs(m.get('fc')), [[4, 10, 12], [5, 14, 16]]);
    assert.equal(m.get('')?.definitionLine, 1);
  });

  it('a model function returning nn.Sequential of variables: each variable is its index', () => {
    const text = [
      "import { nn } from 'module-lens';", // 0
      'export default function model() {', // 1
      '  const hidden = new nn.Linear(3, 8);', // 2
      '  const act = new nn.ReLU();', // 3
      '  return new nn.Sequential(hidden, act, new nn.Linear(8, 2));', // 4
      '}', // 5
      'function other() { const hidden = new nn.Linear(1, 1); return hidden; }', // 6
    ].join('\n');
    const m = map(text, 'Sequential', [['', 'Sequential'], ['0', 'Linear'], ['1', 'ReLU'], ['2', 'Linear']]);
    assert.deepEqual(refs(m.get('0')), [[2, 8, 14], [4, 27, 33]], 'the other function\'s `hidden` is another name');
    assert.deepEqual(refs(m.get('1')), [[3, 8, 11], [4, 35, 38]]);
    assert.equal(m.get('2')?.definitionLine, 4);
    assert.deepEqual(refs(m.get('2')), []);
  });

  it('tf.sequential with layers listed and added: layer variables map to the layers in order', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';", // 0
      'const hidden = tf.layers.dense({ units: 8, inputShape: [4], activation: "relu" });', // 1
      'const out = tf.layers.dense({ units: 2 });', // 2
      'export function model() {', // 3
      '  const net = tf.sequential({ layers: [hidden] });', // 4
      '  net.add(out);', // 5
      '  return net;', // 6
      '}', // 7
    ].join('\n');
    const m = map(text, 'Sequential', [['', 'Sequential'], ['dense_Dense7', 'Dense'], ['dense_Dense8', 'Dense']]);
    assert.deepEqual(refs(m.get('dense_Dense7')), [[1, 6, 12], [4, 39, 45]]);
    assert.deepEqual(refs(m.get('dense_Dense8')), [[2, 6, 9], [5, 10, 13]]);
    assert.deepEqual(refs(m.get('')), [[4, 8, 11], [5, 2, 5], [6, 9, 12]]);
  });

  it('a functional tfjs model: layers map in the order their apply calls run, only when every type agrees', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';", // 0
      'const x = tf.input({ shape: [4] });', // 1
      'const conv = tf.layers.dense({ units: 3 });', // 2
      'const norm = tf.layers.batchNormalization({});', // 3
      'const y = norm.apply(conv.apply(x)) as tf.SymbolicTensor;', // 4
      'export default () => tf.model({ inputs: x, outputs: y });', // 5
    ].join('\n');
    const m = map(text, 'Model', [['', 'Model'], ['dense_Dense1', 'Dense'], ['batch_normalization_BatchNormalization1', 'BatchNormalization']]);
    assert.deepEqual(refs(m.get('dense_Dense1')), [[2, 6, 10], [4, 21, 25]]);
    assert.deepEqual(refs(m.get('batch_normalization_BatchNormalization1')), [[3, 6, 10], [4, 10, 14]]);
    // Types that disagree with the apply order (a model the walk misreads) map nothing by order…
    const swapped = map(text, 'Model', [['', 'Model'], ['bn', 'BatchNormalization'], ['d', 'Dense']]);
    // …and fall back to matching each type's only layer.
    assert.deepEqual(refs(swapped.get('d')), [[2, 6, 10], [4, 21, 25]]);
    assert.deepEqual(refs(swapped.get('bn')), [[3, 6, 10], [4, 10, 14]]);
  });

  it('a layer named in its options maps by name; ambiguous unnamed layers map nowhere', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';", // 0
      'function build(units: number) { return tf.layers.dense({ units }); }', // 1
      'const head = tf.layers.dense({ units: 2, name: "head" });', // 2
      'const a = tf.layers.dense({ units: 3 });', // 3
      'const b = tf.layers.dense({ units: 3 });', // 4
      'export const model = () => somewhereElse(head, a, b, build(1));', // 5
    ].join('\n');
    const m = map(text, 'Sequential', [['', 'Sequential'], ['x1', 'Dense'], ['head', 'Dense'], ['x2', 'Dense']]);
    assert.deepEqual(refs(m.get('head')), [[2, 6, 10], [5, 41, 45]]);
    assert.equal(m.get('x1'), undefined, 'four dense creations for three Dense modules: no guess');
    assert.equal(m.get('x2'), undefined);
  });

  it('JavaScript files map the same way', () => {
    const text = [
      "const { nn } = require('module-lens');",
      'const fc = new nn.Linear(2, 2);',
      'module.exports = new nn.Sequential(fc);',
    ].join('\n');
    const m = map(text, 'Sequential', [['', 'Sequential'], ['0', 'Linear']], 'model.js');
    assert.deepEqual(refs(m.get('0')), [[1, 6, 8], [2, 35, 37]]);
  });
});
