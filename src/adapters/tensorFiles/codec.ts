/**
 * Pieces shared by the safetensors and .npy readers: element decoding into the three dtypes
 * tfjs holds here (float32, int32, bool), size limits, and file I/O with the module's errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TensorFileError } from './tensorFileError';

/** Element types the decoders understand, named as safetensors names them. */
export type ElementType =
  | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** Bytes per element of each `ElementType`. */
export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** tfjs indexes with 32-bit integers; a tensor declaring more elements cannot be real. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Largest file the file-level readers load into memory. */
export const MAX_TENSOR_FILE_BYTES = 2 ** 31 - 1;

/** A decoded tensor body, ready for `tf.tensor(values, shape, dtype)`. */
export interface DecodedValues {
  dtype: 'float32' | 'int32' | 'bool';
  values: Float32Array | Int32Array | Uint8Array;
}

/**
 * Element count of a shape whose entries are already known to be non-negative safe integers,
 * saturating at Infinity once past the limit: a float product could otherwise turn
 * `[huge, huge, 0]` into NaN and slip through a size check.
 */
export function elementCount(shape: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (size > MAX_TENSOR_ELEMENTS) return Infinity;
  }
  return size;
}

/**
 * Decodes `n` elements starting at byte `base` of `view`. Floats widen or narrow to float32,
 * integers go to int32 (calling `outOfRange` for a value that does not fit, which must throw),
 * booleans to 0/1 bytes. DataView makes unaligned data and either byte order safe.
 */
export function decodeElements(
  type: ElementType,
  view: DataView,
  base: number,
  n: number,
  littleEndian: boolean,
  outOfRange: (flatIndex: number, value: bigint | number) => never,
): DecodedValues {
  const le = littleEndian;
  switch (type) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(base + 4 * i, le);
      return { dtype: 'float32', values: out };
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(base + 8 * i, le);
      return { dtype: 'float32', values: out };
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(base + 2 * i, le));
      return { dtype: 'float32', values: out };
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32, so widening by a shift is exact.
      const scratch = new DataView(new ArrayBuffer(4));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        scratch.setUint32(0, view.getUint16(base + 2 * i, le) << 16);
        out[i] = scratch.getFloat32(0);
      }
      return { dtype: 'float32', values: out };
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(base + 4 * i, le);
      return { dtype: 'int32', values: out };
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const at = base + 8 * i;
        const lo = view.getInt32(le ? at : at + 4, le);
        const hi = view.getInt32(le ? at + 4 : at, le);
        // Fits in int32 exactly when the high word is the sign extension of the low one.
        if (hi !== (lo < 0 ? -1 : 0)) outOfRange(i, view.getBigInt64(at, le));
        out[i] = lo;
      }
      return { dtype: 'int32', values: out };
    }
    case 'U64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const at = base + 8 * i;
        const lo = view.getUint32(le ? at : at + 4, le);
        const hi = view.getUint32(le ? at + 4 : at, le);
        if (hi !== 0 || lo > 0x7fffffff) outOfRange(i, view.getBigUint64(at, le));
        out[i] = lo;
      }
      return { dtype: 'int32', values: out };
    }
    case 'U32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getUint32(base + 4 * i, le);
        if (v > 0x7fffffff) outOfRange(i, v);
        out[i] = v;
      }
      return { dtype: 'int32', values: out };
    }
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(base + 2 * i, le);
      return { dtype: 'int32', values: out };
    }
    case 'U16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint16(base + 2 * i, le);
      return { dtype: 'int32', values: out };
    }
    case 'I8': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt8(base + i);
      return { dtype: 'int32', values: out };
    }
    case 'U8': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(base + i);
      return { dtype: 'int32', values: out };
    }
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(base + i) !== 0 ? 1 : 0;
      return { dtype: 'bool', values: out };
    }
  }
}

/**
 * Encodes values of a float32/int32/bool tensor as `type` (F32, I32, I64 or BOOL) at byte `at`,
 * returning the byte after the last one written.
 */
export function encodeElements(
  type: 'F32' | 'I32' | 'I64' | 'BOOL',
  values: ArrayLike<number>,
  view: DataView,
  at: number,
  littleEndian = true,
): number {
  const n = values.length;
  const le = littleEndian;
  switch (type) {
    case 'F32':
      for (let i = 0; i < n; i++, at += 4) view.setFloat32(at, values[i], le);
      return at;
    case 'I32':
      for (let i = 0; i < n; i++, at += 4) view.setInt32(at, values[i], le);
      return at;
    case 'I64':
      for (let i = 0; i < n; i++, at += 8) view.setBigInt64(at, BigInt(values[i]), le);
      return at;
    case 'BOOL':
      for (let i = 0; i < n; i++, at += 1) view.setUint8(at, values[i] ? 1 : 0);
      return at;
  }
}

/** IEEE 754 binary16 to number; exact, including subnormals, infinities and NaN. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Adds an own enumerable property; plain assignment of "__proto__" would set the prototype instead. */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads a whole file, refusing directories and files too large to hold.
 *
 * @throws TensorFileError `<file>: cannot read file (ENOENT)` and the like
 */
export function readBytes(file: string): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new TensorFileError(file, `cannot read file (${errnoText(e)})`);
  }
  if (!st.isFile()) throw new TensorFileError(file, 'not a regular file');
  if (st.size > MAX_TENSOR_FILE_BYTES) {
    throw new TensorFileError(file, `file is ${st.size} bytes, above the ${MAX_TENSOR_FILE_BYTES}-byte limit`);
  }
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new TensorFileError(file, `cannot read file (${errnoText(e)})`);
  }
}

/**
 * Writes through a temporary sibling and renames it into place, so a failed write never
 * leaves a truncated file under the real name.
 *
 * @throws TensorFileError `<file>: cannot write file (EACCES)` and the like
 */
export function writeBytes(file: string, bytes: Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // The write error below is the one worth reporting.
    }
    throw new TensorFileError(file, `cannot write file (${errnoText(e)})`);
  }
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ?? String(err?.message ?? e).split('\n')[0];
}
