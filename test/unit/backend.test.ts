import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/adapters/backend';

/** A fixed 3×4 · 4×2 product, computed on whichever backend is active. */
function product(): number[] {
  return tf.tidy(() => {
    const a = tf.tensor2d([[1.5, -2, 0.25, 3], [0, 1, -1, 2], [0.1, 0.2, 0.3, 0.4]]);
    const b = tf.tensor2d([[1, -1], [0.5, 2], [-3, 0.75], [2, 2]]);
    return Array.from(tf.matMul(a, b).dataSync());
  });
}

test('cpu and wasm give the same matMul within 1e-5', async () => {
  // Like a bundle: only the SIMD binary, copied into a folder of its own.
  const wasmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-wasm-'));
  const packaged = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'tfjs-backend-wasm-simd.wasm');
  fs.copyFileSync(packaged, path.join(wasmDir, 'tfjs-backend-wasm-simd.wasm'));

  const cpu = await selectBackend('cpu');
  assert.equal(cpu.backend, 'cpu');
  assert.deepEqual(cpu.notes, []);
  const onCpu = product();

  const wasm = await selectBackend('wasm', { wasmDir });
  fs.rmSync(wasmDir, { recursive: true, force: true });
  assert.equal(wasm.backend, 'wasm', `wasm failed: ${wasm.notes.join('; ')}`);
  assert.equal(tf.getBackend(), 'wasm');
  const onWasm = product();

  assert.equal(onWasm.length, onCpu.length);
  onCpu.forEach((v, i) => assert.ok(Math.abs(v - onWasm[i]) <= 1e-5, `element ${i}: cpu ${v}, wasm ${onWasm[i]}`));
});

test('auto settles on a working backend and explains what it skipped', async () => {
  const { backend, notes } = await selectBackend('auto');
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(backend));
  if (backend !== 'tensorflow') {
    assert.match(notes[0], /^backend tensorflow unavailable \(.+\); trying wasm$/);
  }
  for (const note of notes) {
    assert.ok(!note.includes('\n'), 'notes are one line');
  }
});

test('forced tensorflow falls back with a one-line note when tfjs-node is missing', async (t) => {
  let nodeBackendInstalled = true;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    nodeBackendInstalled = false;
  }
  if (nodeBackendInstalled) {
    t.skip('@tensorflow/tfjs-node is installed here');
    return;
  }
  const { backend, notes } = await selectBackend('tensorflow');
  assert.notEqual(backend, 'tensorflow');
  assert.equal(notes[0], 'backend tensorflow unavailable (@tensorflow/tfjs-node is not installed); trying wasm');
});

test('a wasm dir without the binary falls back to cpu with a note', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-wasm-'));
  try {
    const { backend, notes } = await selectBackend('wasm', { wasmDir: empty });
    assert.equal(backend, 'cpu');
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^backend wasm unavailable \(tfjs-backend-wasm-simd\.wasm not found in .+\); trying cpu$/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('an unknown preference is rejected', async () => {
  await assert.rejects(selectBackend('gpu' as never), /unknown backend "gpu"/);
});
