/**
 * int32 and bool captures keep their dtype at every layer: the server's summary and kept
 * tensor, its printed form, the extension's `.npy` and `.safetensors` exports, and the
 * panel's value formatting (the panel's cards are checked in Chromium by webviewDom.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CaptureStore, readRange } from '../../src/server/engine/captureStore';
import { formatTensor } from '../../src/server/engine/tensorFormat';
import { EventLog } from '../../src/extension/captures/eventLog';
import { runSafetensors, tensorNpy } from '../../src/extension/captures/captureExports';
import type { TensorReader } from '../../src/extension/captures/tensorValues';
import { parseNpy } from '../../src/adapters/tensorFiles/npy';
import { parseSafetensors } from '../../src/adapters/tensorFiles/safetensors';
import type { CaptureEvent, CapturedTensor } from '../../src/protocol';
import { formatNumber, formatValue } from '../../webview/format';

const store = () => new CaptureStore({ maxBytes: 1 << 20, maxInline: 4096, bins: 8 });

describe('int32 and bool captures', () => {
  it('the server summarizes them in their dtype, with integer extremes and inline values', () => {
    const s = store();
    const ints = tf.tensor2d([[3, -7, 0], [123456, 2, 2]], [2, 3], 'int32');
    const bools = tf.tensor1d([true, false, true, true], 'bool');
    const ci = s.capture('output', ints);
    const cb = s.capture('args[0]', bools);
    assert.equal(ci.summary?.dtype, 'int32');
    assert.deepEqual([ci.summary?.stats.min, ci.summary?.stats.max, ci.summary?.stats.zeros], [-7, 123456, 1]);
    assert.deepEqual(ci.summary?.values, [3, -7, 0, 123456, 2, 2]);
    assert.equal(cb.summary?.dtype, 'bool');
    assert.equal(cb.summary?.stats.mean, 0.75, 'mean of a bool tensor is the fraction that is true');
    assert.equal(cb.summary?.stats.zeros, 1);
    // The kept tensor keeps its dtype; ranges read back exact integers.
    const kept = s.get(ci.tensorId!);
    assert.equal(kept?.tensor.dtype, 'int32');
    assert.deepEqual(readRange(kept!.tensor, 2, 5), [0, 123456, 2]);
    assert.equal(s.totalBytes, 6 * 4 + 4 * 1, 'int32 takes 4 bytes an element, bool 1');
    s.clear();
    ints.dispose();
    bools.dispose();
  });

  it('the server prints int32 without decimals and bool as True/False, as PyTorch does', () => {
    assert.equal(formatTensor([3, -7, 0], [3], 'int32'), 'tensor([ 3, -7,  0], dtype=torch.int32)');
    assert.equal(formatTensor([1, 0], [2], 'bool'), 'tensor([ True, False])');
  });

  function entryWith(tensors: { dtype: string; shape: number[]; values: number[] }[]) {
    const e: CaptureEvent = {
      runId: 1, seq: 1, modelId: 'm', path: 'embed', kind: 'forward', hookId: 1, atMs: 0,
      tensors: tensors.map((t, i): CapturedTensor => ({
        slot: `t${i}`, tensorId: null,
        summary: { shape: t.shape, dtype: t.dtype, size: t.values.length, stats: { min: 0, max: 1, mean: 0, std: 0, nan: 0, inf: 0, zeros: 0 }, histogram: null, values: t.values },
      })),
    };
    return new EventLog(10).add(e, 'Net').entry;
  }
  const noServer: TensorReader = () => Promise.reject(new Error('values are held'));

  it('.npy export writes <i4 for int32 and |b1 for bool, read back in their dtype', async () => {
    const entry = entryWith([{ dtype: 'int32', shape: [2, 2], values: [5, -1, 0, 70000] }, { dtype: 'bool', shape: [3], values: [1, 0, 1] }, { dtype: 'float32', shape: [2], values: [0.5, -2] }]);
    const i = parseNpy(await tensorNpy(entry, 0, noServer));
    assert.deepEqual([i.dtype, i.shape, Array.from(i.dataSync())], ['int32', [2, 2], [5, -1, 0, 70000]]);
    const b = parseNpy(await tensorNpy(entry, 1, noServer));
    assert.deepEqual([b.dtype, Array.from(b.dataSync())], ['bool', [1, 0, 1]]);
    const f = parseNpy(await tensorNpy(entry, 2, noServer));
    assert.deepEqual([f.dtype, Array.from(f.dataSync())], ['float32', [0.5, -2]]);
    for (const t of [i, b, f]) t.dispose();
  });

  it('.safetensors export of a run writes I32 and BOOL entries', async () => {
    const entry = entryWith([{ dtype: 'int32', shape: [3], values: [1, -2, 3] }, { dtype: 'bool', shape: [2], values: [0, 1] }, { dtype: 'float32', shape: [1], values: [0.25] }]);
    const { bytes, skipped } = await runSafetensors([entry], noServer);
    assert.deepEqual(skipped, []);
    const len = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Record<string, { dtype: string }>;
    assert.deepEqual([header['embed/forward/t0'].dtype, header['embed/forward/t1'].dtype, header['embed/forward/t2'].dtype], ['I32', 'BOOL', 'F32']);
    const { tensors } = parseSafetensors(bytes);
    const read = (k: string) => { const t = tensors.get(k)!; return [t.dtype, Array.from(t.dataSync())]; };
    assert.deepEqual(read('embed/forward/t0'), ['int32', [1, -2, 3]]);
    assert.deepEqual(read('embed/forward/t1'), ['bool', [0, 1]]);
    assert.deepEqual(read('embed/forward/t2'), ['float32', [0.25]]);
  });

  it('the panel prints int32 values whole and bool values as true/false', () => {
    assert.equal(formatValue(123456, 'int32'), '123456');
    assert.equal(formatNumber(123456), '1.2346e+5', 'the float32 form would round it');
    assert.equal(formatValue(-7, 'int32'), '-7');
    assert.equal(formatValue(1, 'bool'), 'true');
    assert.equal(formatValue(0, 'bool'), 'false');
    assert.equal(formatValue(0.123456, 'float32'), '0.12346');
    assert.equal(formatValue(NaN, 'float32'), 'NaN');
  });
});
