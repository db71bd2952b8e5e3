// The extension's own .npy writer (Export as .npy on parameter and buffer rows),
// read back with the engine's reader, which follows NumPy's format rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { npyBytes, npyHeader } from '../../src/extension/npyFile';
import { parseNpy } from '../../src/adapters/tensorFiles/npy';

describe('Export as .npy', () => {
  it('writes a NumPy 1.0 header whose data starts at a multiple of 64 bytes', () => {
    const header = npyHeader('float32', [5, 10]);
    assert.deepEqual([...header.slice(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    assert.equal(header.length % 64, 0);
    const text = Buffer.from(header.slice(10)).toString('latin1');
    assert.equal(text.trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 10), }");
    assert.equal(header[8] | (header[9] << 8), header.length - 10);
    assert.ok(text.endsWith('\n'));
    assert.match(Buffer.from(npyHeader('float32', [5]).slice(10)).toString('latin1'), /'shape': \(5,\), }/);
    assert.match(Buffer.from(npyHeader('int32', []).slice(10)).toString('latin1'), /'descr': '<i4'.*'shape': \(\), }/);
  });

  it('round-trips float32, int32 and bool through a NumPy-rules reader', () => {
    const f = parseNpy(npyBytes('float32', [2, 3], [0, 1.5, -2, 3.25, 1e-8, -0]));
    assert.deepEqual([f.dtype, f.shape], ['float32', [2, 3]]);
    assert.deepEqual([...f.dataSync()], [0, 1.5, -2, 3.25, Math.fround(1e-8), -0]);
    const i = parseNpy(npyBytes('int32', [], [7]));
    assert.deepEqual([i.dtype, i.shape, [...i.dataSync()]], ['int32', [], [7]]);
    const b = parseNpy(npyBytes('bool', [3], [1, 0, 1]));
    assert.deepEqual([b.dtype, [...b.dataSync()]], ['bool', [1, 0, 1]]);
    f.dispose(); i.dispose(); b.dispose();
  });

  it('refuses what it cannot write', () => {
    assert.throws(() => npyHeader('complex64', [1]), /cannot write dtype complex64/);
    assert.throws(() => npyBytes('float32', [2, 2], [1, 2, 3]), /holds 4 values, got 3/);
    assert.throws(() => npyHeader('float32', [-1]), /invalid shape/);
  });
});
