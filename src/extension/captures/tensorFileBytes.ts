/**
 * The two tensor file formats the Captures panel exports, written from plain
 * `Float32Array`s (the extension never loads the engine or tfjs) in the captured
 * tensor's dtype: float32, int32 or bool (values arrive as float32 either way). Both formats
 * are a small header in front of the raw little-endian data:
 *  - `.npy` v1.0: magic, version, a Python-dict header padded to 64 bytes;
 *  - `.safetensors`: a u64 header length, a JSON header padded to 8 bytes.
 * The unit tests read both back with the engine's readers and with NumPy's rules.
 */

import { npyBytes as writeNpy } from '../npyFile';

/** Little-endian platforms can copy a Float32Array's bytes as they are; others swap. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return out;
}

function checkShape(shape: readonly number[], length: number): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`invalid shape [${shape.join(', ')}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`shape [${shape.join(', ')}] holds ${size} values, not ${length}`);
}

/** A `.npy` (format 1.0, C order) holding `values` with `shape`, written as `dtype` (`<f4`, `<i4` or `|b1`). */
export function npyBytes(values: Float32Array, shape: readonly number[], dtype = 'float32'): Uint8Array {
  checkShape(shape, values.length);
  return writeNpy(dtype, shape, values);
}

/** safetensors' name and element size of each dtype a capture can have. */
const SAFETENSORS_DTYPE: Readonly<Record<string, { name: string; bytes: number }>> = {
  float32: { name: 'F32', bytes: 4 },
  int32: { name: 'I32', bytes: 4 },
  bool: { name: 'BOOL', bytes: 1 },
};

function safetensorsType(dtype: string | undefined): { name: string; bytes: number } {
  const t = SAFETENSORS_DTYPE[dtype ?? 'float32'];
  if (!t) throw new Error(`cannot write dtype ${dtype} to .safetensors (float32, int32 and bool can be)`);
  return t;
}

/** Little-endian bytes of `values` as `dtype`. */
function dataBytes(values: Float32Array, dtype: string | undefined): Uint8Array {
  if ((dtype ?? 'float32') === 'float32') return float32Bytes(values);
  const { bytes } = safetensorsType(dtype);
  const out = new Uint8Array(values.length * bytes);
  const view = new DataView(out.buffer);
  if (dtype === 'int32') values.forEach((v, i) => view.setInt32(i * 4, v, true));
  else values.forEach((v, i) => view.setUint8(i, v ? 1 : 0));
  return out;
}

/** One tensor of a `.safetensors` file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /** The tensor's dtype (default float32). */
  readonly dtype?: string;
}

/** A `.safetensors` file of float32, int32 and bool tensors, in the order given; names must be unique. */
export function safetensorsBytes(entries: readonly SafetensorsEntry[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    checkShape(e.shape, e.values.length);
    if (e.name === '__metadata__' || Object.prototype.hasOwnProperty.call(header, e.name)) throw new Error(`duplicate tensor name "${e.name}"`);
    const type = safetensorsType(e.dtype);
    header[e.name] = { dtype: type.name, shape: [...e.shape], data_offsets: [offset, offset + e.values.length * type.bytes] };
    offset += e.values.length * type.bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    const bytes = dataBytes(e.values, e.dtype);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
