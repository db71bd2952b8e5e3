/**
 * Property-based tests of the file parsers: arbitrary and mutated bytes never
 * throw anything but the project's own error type and never hang; written
 * tensors read back equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { tf } from '../../src';
import { parseSafetensors, serializeSafetensors } from '../../src/adapters/tensorFiles/safetensors';
import { parseNpy, serializeNpy } from '../../src/adapters/tensorFiles/npy';
import { TensorFileError } from '../../src/adapters/tensorFiles/tensorFileError';
import { loadModelJson } from '../../src/adapters/layersModel';
import { ModelFileError } from '../../src/adapters/modelFile';

const repo = path.resolve(__dirname, '..', '..', '..');
const RUNS = 300;
/**
 * A fixed seed keeps `npm test` repeatable; set MODULE_LENS_FC_SEED to explore other inputs
 * (fast-check prints the seed and path of any counterexample).
 */
const SEED = Number(process.env.MODULE_LENS_FC_SEED ?? 20261127);

/** Runs `parse`; only the project's error is an acceptable failure, and it must come quickly. */
function parsesOrRefuses(parse: () => unknown): void {
  const t0 = performance.now();
  try {
    const value = parse();
    tf.dispose(value as tf.TensorContainer);
  } catch (err) {
    assert.ok(err instanceof TensorFileError, `unexpected ${(err as Error)?.name}: ${(err as Error)?.message}`);
    assert.equal((err as Error).message.includes('\n'), false);
  }
  assert.ok(performance.now() - t0 < 2000, 'no hang');
}

/** A valid file with some bytes overwritten at random places. */
const mutated = (valid: Uint8Array) => fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
  .map((edits) => {
    const out = valid.slice();
    for (const [i, b] of edits) out[i] = b;
    return out;
  });

const tensorArb = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
  dtype: fc.constantFrom('float32' as const, 'int32' as const),
}).chain(({ shape, dtype }) => fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
  .map((values) => ({ shape, dtype, values })));

test('safetensors: arbitrary bytes and mutated files only ever give TensorFileError', () => {
  const valid = serializeSafetensors(new Map<string, tf.Tensor>([['w', tf.tensor2d([[1, 2], [3, 4]])], ['b', tf.tensor1d([5, 6], 'int32')]]));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => parsesOrRefuses(() => parseSafetensors(bytes, 'fuzz.safetensors').tensors)), { numRuns: RUNS, seed: SEED });
  fc.assert(fc.property(mutated(valid), (bytes) => parsesOrRefuses(() => parseSafetensors(bytes, 'fuzz.safetensors').tensors)), { numRuns: RUNS, seed: SEED });
});

test('safetensors: write then read returns equal tensors', () => {
  fc.assert(fc.property(fc.array(tensorArb, { minLength: 1, maxLength: 4 }), (specs) => {
    const map = new Map(specs.map((s, i) => [`t${i}`, tf.tensor(s.values, s.shape, s.dtype)]));
    const back = parseSafetensors(serializeSafetensors(map), 'roundtrip.safetensors').tensors;
    for (const [k, t] of map) {
      assert.deepEqual(back.get(k)!.shape, t.shape);
      assert.deepEqual([...back.get(k)!.dataSync()], [...t.dataSync()]);
    }
    tf.dispose([...map.values(), ...back.values()]);
  }), { numRuns: 100, seed: SEED });
});

test('npy: arbitrary bytes and mutated files only ever give TensorFileError; round trips are equal', () => {
  const valid = serializeNpy(tf.tensor2d([[1.5, -2], [3, 4]]));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => parsesOrRefuses(() => parseNpy(bytes, 'fuzz.npy'))), { numRuns: RUNS, seed: SEED });
  fc.assert(fc.property(mutated(valid), (bytes) => parsesOrRefuses(() => parseNpy(bytes, 'fuzz.npy'))), { numRuns: RUNS, seed: SEED });
  fc.assert(fc.property(tensorArb, (s) => {
    const t = tf.tensor(s.values, s.shape, s.dtype);
    const back = parseNpy(serializeNpy(t), 'roundtrip.npy');
    assert.deepEqual(back.shape, t.shape);
    assert.deepEqual([...back.dataSync()], [...t.dataSync()]);
    tf.dispose([t, back]);
  }), { numRuns: 100, seed: SEED });
});

test('model.json: mutated topologies and manifests only ever give ModelFileError', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'module-lens-fuzz-'));
  try {
    const cnn = path.join(repo, 'examples', 'cnn');
    fs.copyFileSync(path.join(cnn, 'group1-shard1of1.bin'), path.join(dir, 'group1-shard1of1.bin'));
    const text = fs.readFileSync(path.join(cnn, 'model.json'), 'utf8');
    const baseline = tf.memory().numTensors;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(text.length - 1), fc.constantFrom('{', '}', '"', '[', ']', ',', '0', '9', '-', ':', 'x', ' ')), { minLength: 1, maxLength: 4 }),
      async (edits) => {
        const chars = [...text];
        for (const [i, c] of edits) chars[i] = c;
        const file = path.join(dir, 'model.json');
        fs.writeFileSync(file, chars.join(''));
        try {
          const model = await loadModelJson(file);
          model.dispose();
        } catch (err) {
          assert.ok(err instanceof ModelFileError, `unexpected ${(err as Error)?.name}: ${(err as Error)?.message}`);
          assert.equal((err as Error).message.includes('\n'), false);
        }
      }), { numRuns: 60, seed: SEED });
    assert.equal(tf.memory().numTensors, baseline, 'failed loads leave nothing allocated');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
