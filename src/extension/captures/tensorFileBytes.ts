/**
 * The two tensor file formats the Captures panel exports, written from plain
 * `Float32Array`s (the extension never loads the engine or tfjs). Both formats
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

/** A float32 `.npy` (format 1.0, C order) holding `values` with `shape`. */
export function npyBytes(values: Float32Array, shape: readonly number[]): Uint8Array {
  checkShape(shape, values.length);
  return writeNpy('float32', shape, values);
}

/** One tensor of a `.safetensors` file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A `.safetensors` file of float32 tensors, in the order given; names must be unique. */
export function safetensorsBytes(entries: readonly SafetensorsEntry[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    checkShape(e.shape, e.values.length);
    if (e.name === '__metadata__' || Object.prototype.hasOwnProperty.call(header, e.name)) throw new Error(`duplicate tensor name "${e.name}"`);
    header[e.name] = { dtype: 'F32', shape: [...e.shape], data_offsets: [offset, offset + e.values.length * 4] };
    offset += e.values.length * 4;
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
    out.set(float32Bytes(e.values), at);
    at += e.values.length * 4;
  }
  return out;
}
