import { after, afterEach, beforeEach, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors,
} from '../../src/adapters/tensorFiles/safetensors';
import { parseNpy, readNpy, serializeNpy, writeNpy } from '../../src/adapters/tensorFiles/npy';
import { TensorFileError } from '../../src/adapters/tensorFiles/tensorFileError';
import { FIXTURES_DIR, disposeFixture, loadFixture } from './fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tensor-files-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Every test must leave the tensor count where it found it.
let baseline = 0;
beforeEach(() => { baseline = tf.memory().numTensors; });
afterEach(() => { assert.equal(tf.memory().numTensors, baseline, 'tensors leaked'); });

const enc = new TextEncoder();

/** Builds safetensors bytes from a header (object or raw JSON text) and a data section. */
function st(header: unknown, data: Uint8Array | number[] = [], headerLen?: number): Uint8Array {
  const json = typeof header === 'string' ? enc.encode(header) : header instanceof Uint8Array ? header : enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** Asserts `fn` throws a one-line TensorFileError `<file>: <problem>` whose problem matches. */
function throwsFileError(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TensorFileError, `not a TensorFileError: ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `not one line: ${err.message}`);
    assert.ok(err.message.startsWith(`${file}: `), `does not name the file: ${err.message}`);
    assert.match(err.problem, problem);
    return true;
  });
}

function bytesOf(t: tf.Tensor): Uint8Array {
  const d = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Same dtype, shape and bit pattern (so NaN equals NaN and -0 differs from 0). */
function assertSameTensor(actual: tf.Tensor, expected: tf.Tensor, label: string): void {
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.deepEqual(bytesOf(actual), bytesOf(expected), `${label}: values`);
}

function disposeAll(m: Map<string, tf.Tensor>): void {
  for (const t of m.values()) t.dispose();
}

/** Small deterministic PRNG so fuzz failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('safetensors: round trips and layout', () => {
  test('float32, int32 and bool tensors with metadata round-trip exactly', () => {
    const input = new Map<string, tf.Tensor>([
      ['w', tf.tensor2d([[1.5, -2], [Number.NaN, -0]], [2, 2], 'float32')],
      ['idx', tf.tensor1d([-3, 0, 2147483647], 'int32')],
      ['mask', tf.tensor1d([true, false, true], 'bool')],
      ['s', tf.scalar(7.25)],
      ['empty', tf.zeros([0, 3])],
    ]);
    const bytes = serializeSafetensors(input, { metadata: { format: 'pt', note: 'hé' } });
    const { tensors, metadata } = parseSafetensors(bytes, 'mem.safetensors');
    assert.deepEqual(metadata, { format: 'pt', note: 'hé' });
    assert.deepEqual([...tensors.keys()].sort(), [...input.keys()].sort());
    for (const [k, t] of input) assertSameTensor(tensors.get(k)!, t, k);
    disposeAll(tensors);
    disposeAll(input);
  });

  test('int32 tensors can be written as I64 and read back', () => {
    const t = tf.tensor1d([-5, 0, 2147483647, -2147483648], 'int32');
    const bytes = serializeSafetensors({ n: t }, { intDtype: 'I64' });
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))).toString());
    assert.equal(header.n.dtype, 'I64');
    assert.deepEqual(header.n.data_offsets, [0, 32]);
    const { tensors } = parseSafetensors(bytes);
    assertSameTensor(tensors.get('n')!, t, 'n');
    disposeAll(tensors);
    t.dispose();
  });

  test('the writer matches the reference implementation byte for byte', () => {
    // Test vector from the reference implementation's own serializer tests.
    const t = tf.tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]);
    const out = serializeSafetensors({ 'attn.0': t });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    assert.equal(header.length, 64);
    assert.deepEqual(out, st(header, f32(0, 1, 2, 3, 4, 5)));
    t.dispose();

    assert.deepEqual([...serializeSafetensors(new Map())], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = serializeSafetensors({}, { metadata: { framework: 'pt' } });
    assert.deepEqual(withMeta, st('{"__metadata__":{"framework":"pt"}}     '));
  });

  test('header is padded with spaces to 8 bytes and sorted by dtype alignment, then name', () => {
    const input = {
      a_bool: tf.tensor1d([true], 'bool'),
      z_f32: tf.tensor1d([1]),
      b_f32: tf.tensor1d([2]),
      c_int: tf.tensor1d([3], 'int32'),
    };
    const bytes = serializeSafetensors(input, { intDtype: 'I64' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    assert.match(text, /} *$/);
    assert.equal(text.trimEnd().length + (n - text.trimEnd().length), n);
    const { tensors } = parseSafetensors(bytes);
    // I64 (rank 13) > F32 (11) > BOOL (0); ties broken by name.
    assert.deepEqual([...tensors.keys()], ['c_int', 'b_f32', 'z_f32', 'a_bool']);
    disposeAll(tensors);
    Object.values(input).forEach((t) => t.dispose());
  });

  test('reading keeps header order, including integer-like keys', () => {
    const header = '{"10":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},'
      + '"2":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
    const { tensors, metadata } = parseSafetensors(st(header, f32(1, 2, 3)));
    assert.equal(metadata, null);
    assert.deepEqual([...tensors.keys()], ['10', 'b', '2']);
    assert.deepEqual(tensors.get('2')!.dataSync(), new Float32Array([3]));
    disposeAll(tensors);
  });

  test('the writer keeps integer-like names in data order, as the reference does', () => {
    const input = new Map<string, tf.Tensor>([['2', tf.scalar(2)], ['10', tf.scalar(10)], ['b', tf.scalar(11)]]);
    const bytes = serializeSafetensors(input);
    // Byte order of names: "10" < "2" < "b"; JSON.stringify on an object would put "2" and "10" first, ascending.
    assert.match(Buffer.from(bytes).toString('latin1'), /^.{8}\{"10":\{[^}]*"data_offsets":\[0,4\]\},"2":\{[^}]*\[4,8\]\},"b":/s);
    const { tensors } = parseSafetensors(bytes);
    assert.deepEqual([...tensors.keys()], ['10', '2', 'b']);
    assert.deepEqual([...tensors.get('10')!.dataSync()], [10]);
    disposeAll(tensors);
    disposeAll(input);
  });

  test('file-level write and read, leaving no temporary files', () => {
    const file = path.join(tmp, 'roundtrip.safetensors');
    const w = tf.randomNormal([3, 4]);
    writeSafetensors(file, new Map([['w', w]]), { metadata: { a: 'b' } });
    const { tensors, metadata } = readSafetensors(file);
    assertSameTensor(tensors.get('w')!, w, 'w');
    assert.deepEqual(metadata, { a: 'b' });
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('roundtrip')), ['roundtrip.safetensors']);
    disposeAll(tensors);
    w.dispose();
  });

  test('the writer refuses unsupported dtypes, disposed tensors and the reserved name', () => {
    const c = tf.complex([1], [2]);
    throwsFileError(() => serializeSafetensors({ c }, { fileNameForErrors: 'out.safetensors' }), 'out.safetensors', /dtype complex64/);
    c.dispose();
    const d = tf.scalar(1);
    d.dispose();
    throwsFileError(() => serializeSafetensors({ d }), '<safetensors>', /"d" is disposed/);
    const m = tf.scalar(1);
    throwsFileError(() => serializeSafetensors({ __metadata__: m }), '<safetensors>', /reserved/);
    m.dispose();
    throwsFileError(() => writeSafetensors(path.join(tmp, 'no-such-dir', 'x.safetensors'), {}), path.join(tmp, 'no-such-dir', 'x.safetensors'), /cannot write file \(ENOENT\)/);
  });
});

describe('safetensors: validation', () => {
  const F = 'bad.safetensors';
  const one = (extra: Record<string, unknown> = {}) => ({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...extra } });

  test('file shorter than 8 bytes', () => {
    throwsFileError(() => parseSafetensors(new Uint8Array(5), F), F, /5 bytes, shorter than the 8-byte header length/);
  });
  test('header length past the end of the file', () => {
    throwsFileError(() => parseSafetensors(st('{}', [], 500), F), F, /header length 500 runs past the end of the file \(10 bytes\)/);
  });
  test('header length above 100 MB', () => {
    throwsFileError(() => parseSafetensors(st('{}', [], 100_000_001), F), F, /header length 100000001 is above .*100 MB/);
    const huge = new Uint8Array(16);
    huge.fill(0xff, 0, 8);
    throwsFileError(() => parseSafetensors(huge, F), F, /above .*100 MB/);
  });
  test('header that is not UTF-8', () => {
    throwsFileError(() => parseSafetensors(st(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), F), F, /not valid UTF-8/);
  });
  test('header that is not JSON', () => {
    throwsFileError(() => parseSafetensors(st('{"t": [1,'), F), F, /not valid JSON/);
    throwsFileError(() => parseSafetensors(st('\ufeff{}'), F), F, /not valid JSON/);
  });
  test('header that is JSON but not an object', () => {
    throwsFileError(() => parseSafetensors(st('[1, 2]'), F), F, /not a JSON object/);
  });
  test('duplicate top-level key', () => {
    const h = '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    throwsFileError(() => parseSafetensors(st(h, f32(1, 2)), F), F, /duplicate key "t" in header$/);
    const escaped = '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0074":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    throwsFileError(() => parseSafetensors(st(escaped, f32(1, 2)), F), F, /duplicate key "t"/);
  });
  test('duplicate key inside a tensor entry', () => {
    const h = '{"t":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}';
    throwsFileError(() => parseSafetensors(st(h, f32(1)), F), F, /duplicate key "dtype" in header entry "t"/);
  });
  test('unknown dtype', () => {
    throwsFileError(() => parseSafetensors(st(one({ dtype: 'F33' }), f32(1, 2)), F), F, /tensor "t" has unknown dtype "F33"/);
  });
  test('known but unsupported dtype', () => {
    throwsFileError(() => parseSafetensors(st(one({ dtype: 'F8_E4M3', shape: [8] }), f32(1, 2)), F), F, /dtype F8_E4M3, which is not supported/);
  });
  test('shape and byte count disagree', () => {
    throwsFileError(() => parseSafetensors(st(one({ shape: [3] }), f32(1, 2)), F), F,
      /tensor "t": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] span 8/);
  });
  test('data_offsets past the end of the data', () => {
    throwsFileError(() => parseSafetensors(st(one({ data_offsets: [4, 12] }), f32(1, 2)), F), F, /data_offsets \[4, 12\] past the end of the data \(8 bytes\)/);
  });
  test('data_offsets that end before they begin', () => {
    throwsFileError(() => parseSafetensors(st(one({ data_offsets: [8, 0] }), f32(1, 2)), F), F, /end before they begin/);
  });
  test('data_offsets that are not two non-negative integers', () => {
    throwsFileError(() => parseSafetensors(st(one({ data_offsets: [0, 4, 8] }), f32(1, 2)), F), F, /data_offsets \[0,4,8\], not two non-negative integers/);
    throwsFileError(() => parseSafetensors(st(one({ data_offsets: [-8, 0] }), f32(1, 2)), F), F, /not two non-negative integers/);
  });
  test('overlapping tensors', () => {
    const h = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    throwsFileError(() => parseSafetensors(st(h, f32(1, 2, 3)), F), F, /tensors "a" and "b" overlap/);
  });
  test('gap between tensors', () => {
    const h = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    throwsFileError(() => parseSafetensors(st(h, f32(1, 2, 3)), F), F, /data bytes 4\.\.8 are not covered by any tensor \(before "b"\)/);
  });
  test('trailing bytes after the last tensor', () => {
    throwsFileError(() => parseSafetensors(st(one(), f32(1, 2, 3)), F), F, /4 trailing bytes after the last tensor/);
    throwsFileError(() => parseSafetensors(st({}, f32(1)), F), F, /4 trailing bytes/);
  });
  test('negative shape entry', () => {
    throwsFileError(() => parseSafetensors(st(one({ shape: [-2] }), f32(1, 2)), F), F, /shape entry -2, not a non-negative integer/);
  });
  test('non-integer shape entry', () => {
    throwsFileError(() => parseSafetensors(st(one({ shape: [2.5] }), f32(1, 2)), F), F, /shape entry 2\.5/);
    throwsFileError(() => parseSafetensors(st(one({ shape: ['2'] }), f32(1, 2)), F), F, /shape entry "2"/);
  });
  test('declared size above the limit is refused before allocating', () => {
    const started = Date.now();
    throwsFileError(() => parseSafetensors(st(one({ shape: [100000, 100000, 100000] }), f32(1, 2)), F), F,
      /declares shape \[100000, 100000, 100000\], more than the limit of 2147483647 elements/);
    throwsFileError(() => parseSafetensors(st(one({ shape: [1e300, 1e300, 0] }), f32(1, 2)), F), F, /shape entry 1e\+300/);
    assert.ok(Date.now() - started < 1000);
  });
  test('I64 value that does not fit in int32 names the key', () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 2n ** 40n, true);
    throwsFileError(() => parseSafetensors(st({ 'layer.idx': { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data), F), F,
      /tensor "layer\.idx": I64 value 1099511627776 at flat index 1 does not fit in int32/);
    new DataView(data.buffer).setBigInt64(8, -(2n ** 31n) - 1n, true);
    throwsFileError(() => parseSafetensors(st({ i: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data), F), F, /value -2147483649/);
  });
  test('metadata that is not a string map', () => {
    throwsFileError(() => parseSafetensors(st({ __metadata__: { a: 1 } }), F), F, /"__metadata__" value for "a" is not a string/);
  });
  test('entry that is not an object', () => {
    throwsFileError(() => parseSafetensors(st({ t: [1] }), F), F, /header entry "t" is not an object/);
  });
  test('missing file and directory, from the file-level reader', () => {
    const missing = path.join(tmp, 'missing.safetensors');
    throwsFileError(() => readSafetensors(missing), missing, /cannot read file \(ENOENT\)/);
    throwsFileError(() => readSafetensors(tmp), tmp, /not a regular file/);
  });
  test('a failure after valid tensors leaves no tensors behind', () => {
    const data = new Uint8Array(24);
    new DataView(data.buffer).setBigInt64(16, 2n ** 33n, true);
    const h = { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'I64', shape: [1], data_offsets: [16, 24] } };
    throwsFileError(() => parseSafetensors(st(h, data), F), F, /tensor "b"/);
  });
  test('deeply nested header JSON is refused without overflowing the stack', () => {
    const deep = `${'['.repeat(200000)}${']'.repeat(200000)}`;
    throwsFileError(() => parseSafetensors(st(`{"t":{"dtype":"F32","shape":[${deep}],"data_offsets":[0,0]}}`), F), F, /shape entry \[/);
    throwsFileError(() => parseSafetensors(st(`{"t":${deep}}`), F), F, /header entry "t" is not an object/);
  });
  test('random and mutated byte strings only ever give tensors or a TensorFileError', () => {
    const rand = rng(1234);
    const valid = serializeSafetensorsForFuzz();
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      let bytes: Uint8Array;
      if (i % 3 === 0) {
        bytes = new Uint8Array(Math.floor(rand() * 80));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
        if (bytes.length >= 8 && rand() < 0.7) new DataView(bytes.buffer).setBigUint64(0, BigInt(Math.floor(rand() * (bytes.length - 7))), true);
      } else {
        bytes = valid.slice(0, rand() < 0.2 ? Math.floor(rand() * valid.length) : valid.length);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips && bytes.length > 0; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      }
      try {
        disposeAll(parseSafetensors(bytes, 'fuzz').tensors);
      } catch (e) {
        assert.ok(e instanceof TensorFileError, `input ${i} threw ${String(e)}`);
        assert.ok(!e.message.includes('\n'));
      }
    }
    assert.ok(Date.now() - started < 20000);
  });
});

function serializeSafetensorsForFuzz(): Uint8Array {
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor1d([1, -1], 'int32');
  const c = tf.tensor1d([true, false], 'bool');
  const bytes = serializeSafetensors({ a, b, c }, { intDtype: 'I64', metadata: { k: 'v' } });
  tf.dispose([a, b, c]);
  return bytes;
}

describe('safetensors and npy files written by PyTorch and numpy', () => {
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'tensorfiles.json'), 'utf8'));

  test('every dtype decodes to the values numpy saved', () => {
    const { tensors, metadata } = readSafetensors(path.join(FIXTURES_DIR, 'tensorfiles.safetensors'));
    assert.deepEqual(metadata, { format: 'pt', note: 'one tensor per dtype' });
    const expectedDtype: Record<string, string> = {
      F32: 'float32', F16: 'float32', BF16: 'float32', F64: 'float32', I64: 'int32', I32: 'int32', U8: 'int32', BOOL: 'bool',
    };
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(cases.tensors).sort());
    for (const [key, info] of Object.entries<any>(cases.tensors)) {
      const actual = tensors.get(key)!;
      assert.equal(actual.dtype, expectedDtype[info.safetensors_dtype], key);
      const expected = readNpy(path.join(FIXTURES_DIR, info.npy));
      assertSameTensor(actual, expected, key);
      expected.dispose();
    }
    // Spot checks that do not depend on the npy reader.
    assert.deepEqual([...tensors.get('i64')!.dataSync()], [0, -1, 2147483647, -2147483648, 5, 7]);
    assert.deepEqual([...tensors.get('u8')!.dataSync()], [0, 1, 127, 128, 255]);
    const f16 = [...tensors.get('f16')!.dataSync()];
    assert.deepEqual(f16.slice(0, 5), [0, -0, 1, -2.5, 65504]);
    assert.equal(f16[5], 2 ** -24 * 1); // 6e-08 rounds to the smallest float16 subnormal
    assert.deepEqual(f16.slice(6, 8), [Infinity, -Infinity]);
    assert.ok(Number.isNaN(f16[8]));
    assert.deepEqual(tensors.get('scalar')!.shape, []);
    assert.deepEqual(tensors.get('empty')!.shape, [0, 3]);
    disposeAll(tensors);
  });

  test('re-serializing the PyTorch fixtures reproduces them byte for byte', () => {
    for (const name of ['custom_linear', 'batchnorm1d', 'batchnorm2d', 'layers', 'cnn', 'hooks']) {
      const file = path.join(FIXTURES_DIR, `${name}.safetensors`);
      const original = fs.readFileSync(file);
      const { tensors, metadata } = parseSafetensors(original, file);
      const again = serializeSafetensors(tensors, { metadata: metadata!, intDtype: 'I64' });
      assert.ok(Buffer.from(again).equals(original), `${name} differs after a round trip`);
      disposeAll(tensors);
    }
  });

  test('loadFixture returns the tensors and the JSON side file', () => {
    const fx = loadFixture('custom_linear');
    assert.deepEqual(fx.meta.state_dict_keys.slice(0, 2), ['weight', 'bias']);
    assert.deepEqual(fx.tensors.get('state.weight')!.shape, [5, 10]);
    assert.deepEqual(fx.tensors.get('output')!.shape, [3, 5]);
    disposeFixture(fx);
  });

  test('npy header versions 1.0, 2.0 and 3.0 and big-endian data read the same', () => {
    const v1 = readNpy(path.join(FIXTURES_DIR, 'npy', 'v1.npy'));
    assert.deepEqual([...v1.dataSync()], [0, 0.25, 0.5, 0.75, 1, 1.25]);
    for (const f of ['v2.npy', 'v3.npy', 'big_endian.npy']) {
      const t = readNpy(path.join(FIXTURES_DIR, 'npy', f));
      assertSameTensor(t, v1, f);
      t.dispose();
    }
    v1.dispose();
    const i16 = readNpy(path.join(FIXTURES_DIR, 'npy', 'i16.npy'));
    assert.deepEqual([...i16.dataSync()], [-32768, 7, 32767]);
    i16.dispose();
    const four = readNpy(path.join(FIXTURES_DIR, 'npy', 'f32_4d.npy'));
    assert.deepEqual(four.shape, [1, 2, 3, 4]);
    assert.deepEqual([...four.dataSync()], Array.from({ length: 24 }, (_, i) => i - 5));
    four.dispose();
  });

  test('npy: fortran_order True is a clear error', () => {
    const file = path.join(FIXTURES_DIR, 'npy', 'fortran.npy');
    throwsFileError(() => readNpy(file), file, /fortran_order is True/);
  });

  test('npy: int64 values outside int32 are refused', () => {
    const file = path.join(FIXTURES_DIR, 'npy', 'i64_overflow.npy');
    throwsFileError(() => readNpy(file), file, /<i8 value 1099511627776 at flat index 1 does not fit in int32/);
  });

  test('npy writer output is identical to numpy.save', () => {
    const pairs: Array<[string, '<i4' | '<i8' | undefined]> = [
      ['f32.npy', undefined], ['i32.npy', undefined], ['bool.npy', undefined], ['scalar.npy', undefined],
      ['empty.npy', undefined], ['f32_4d.npy', undefined], ['i64.npy', '<i8'], ['u8.npy', undefined],
    ];
    for (const [f, intDescr] of pairs) {
      const file = path.join(FIXTURES_DIR, 'npy', f);
      const original = fs.readFileSync(file);
      const t = parseNpy(original, file);
      const again = Buffer.from(serializeNpy(t, { intDescr }));
      t.dispose();
      if (f === 'u8.npy') {
        // uint8 reads as int32, so it comes back as <i4: only the values must survive.
        const back = parseNpy(again);
        assert.deepEqual([...back.dataSync()], [0, 1, 127, 128, 255]);
        back.dispose();
        continue;
      }
      assert.ok(again.equals(original), `${f}: ${JSON.stringify(again.subarray(0, 80).toString('latin1'))}`);
    }
  });
});

describe('npy: round trips and validation', () => {
  const F = 'bad.npy';
  /** Builds a .npy file from a header dict literal and data bytes (version 1.0). */
  function npy(dict: string, data: Uint8Array | number[] = [], version = 1): Uint8Array {
    const h = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
    const prefix = version === 1 ? 10 : 12;
    const out = new Uint8Array(prefix + h.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    if (version === 1) new DataView(out.buffer).setUint16(8, h.length, true);
    else new DataView(out.buffer).setUint32(8, h.length, true);
    out.set(h, prefix);
    out.set(data, prefix + h.length);
    return out;
  }
  const hdr = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

  test('file-level write and read of float32, int32 and bool', () => {
    for (const t of [tf.tensor([[1.5, -2, 3]]), tf.tensor1d([7, -8], 'int32'), tf.tensor2d([[true], [false]], [2, 1], 'bool'), tf.scalar(3)]) {
      const file = path.join(tmp, `rt-${t.dtype}-${t.rank}.npy`);
      writeNpy(file, t);
      const back = readNpy(file);
      assertSameTensor(back, t, file);
      back.dispose();
      t.dispose();
    }
  });
  test('file shorter than the header', () => {
    throwsFileError(() => parseNpy(new Uint8Array([0x93, 0x4e]), F), F, /2 bytes, too short for a \.npy header/);
  });
  test('missing magic string', () => {
    throwsFileError(() => parseNpy(enc.encode('PK\x03\x04 this is a zip file'), F), F, /not a \.npy file/);
  });
  test('unsupported version', () => {
    const b = npy(hdr('<f4', '(1,)'), f32(1));
    b[6] = 4;
    throwsFileError(() => parseNpy(b, F), F, /unsupported \.npy format version 4\.0/);
  });
  test('header length past the end of the file', () => {
    const b = npy(hdr('<f4', '(1,)'), f32(1));
    new DataView(b.buffer).setUint16(8, 60000, true);
    throwsFileError(() => parseNpy(b, F), F, /header length 60000 runs past the end of the file/);
  });
  test('header that is not a dict literal', () => {
    throwsFileError(() => parseNpy(npy("{'descr': '<f4', 'shape': (1,"), F), F, /not a valid dict literal/);
    throwsFileError(() => parseNpy(npy("__import__('os').system('x')"), F), F, /not a valid dict literal/);
  });
  test('missing and unexpected header keys', () => {
    throwsFileError(() => parseNpy(npy("{'descr': '<f4', 'shape': (1,)}", f32(1)), F), F, /no 'fortran_order' key/);
    throwsFileError(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", f32(1)), F), F, /unexpected key "x"/);
  });
  test('unsupported descr', () => {
    throwsFileError(() => parseNpy(npy(hdr('<c8', '(1,)'), new Uint8Array(8)), F), F, /dtype "<c8" is not supported/);
    throwsFileError(() => parseNpy(npy(hdr('|O', '(1,)'), new Uint8Array(8)), F), F, /object arrays/);
    throwsFileError(() => parseNpy(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f32(1)), F), F, /structured dtypes/);
  });
  test('shape that is not a tuple of non-negative integers', () => {
    throwsFileError(() => parseNpy(npy(hdr('<f4', '[1]'), f32(1)), F), F, /shape is \[1\], not a tuple/);
    throwsFileError(() => parseNpy(npy(hdr('<f4', '(-1,)'), f32(1)), F), F, /shape entry -1 is not a non-negative integer/);
  });
  test('data size that does not match the shape', () => {
    throwsFileError(() => parseNpy(npy(hdr('<f4', '(3,)'), f32(1, 2)), F), F, /data is 8 bytes but shape \(3,\) of <f4 needs 12/);
  });
  test('declared size above the limit', () => {
    throwsFileError(() => parseNpy(npy(hdr('<f4', '(100000, 100000, 100000)'), f32(1)), F), F, /more than the limit/);
  });
  test('version 3.0 header that is not UTF-8', () => {
    const b = npy(hdr('<f4', '(1,)'), f32(1), 3);
    b[14] = 0xff;
    throwsFileError(() => parseNpy(b, F), F, /not valid UTF-8/);
  });
  test('writer refuses unsupported dtypes', () => {
    const c = tf.complex([1], [2]);
    throwsFileError(() => serializeNpy(c, { fileNameForErrors: 'c.npy' }), 'c.npy', /dtype complex64/);
    c.dispose();
  });
  test('random and mutated byte strings only ever give a tensor or a TensorFileError', () => {
    const rand = rng(99);
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const valid = serializeNpy(t);
    t.dispose();
    for (let i = 0; i < 3000; i++) {
      let bytes: Uint8Array;
      if (i % 3 === 0) {
        bytes = new Uint8Array(Math.floor(rand() * 80));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
        if (bytes.length > 10 && rand() < 0.7) bytes.set(valid.subarray(0, 8));
      } else {
        bytes = valid.slice(0, rand() < 0.2 ? Math.floor(rand() * valid.length) : valid.length);
        const flips = 1 + Math.floor(rand() * 3);
        for (let f = 0; f < flips && bytes.length > 0; f++) {
          // Aim most flips at the header, where the parser lives.
          const at = rand() < 0.8 ? Math.floor(rand() * Math.min(bytes.length, 80)) : Math.floor(rand() * bytes.length);
          bytes[at] = Math.floor(rand() * 256);
        }
      }
      try {
        parseNpy(bytes, 'fuzz').dispose();
      } catch (e) {
        assert.ok(e instanceof TensorFileError, `input ${i} threw ${String(e)}`);
      }
    }
  });
});
