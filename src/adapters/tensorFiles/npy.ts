/**
 * Reading and writing single tensors in NumPy's `.npy` format
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic `\x93NUMPY`, version, header length, a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then C-order data.
 *
 * The header is parsed by a small literal parser (never evaluated), and everything is
 * validated before the one tensor is created.
 */
import * as tf from '@tensorflow/tfjs';
import { TensorFileError, quoteForMessage } from './tensorFileError';
import {
  ELEMENT_BYTES, ElementType, MAX_TENSOR_ELEMENTS, decodeElements, elementCount, encodeElements, readBytes, writeBytes,
} from './codec';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Headers are a few dozen bytes; anything near this size is not a real array header. */
export const NPY_MAX_HEADER_BYTES = 1_000_000;

const MAX_LITERAL_DEPTH = 32;

/** Type codes (after the byte-order character) and the element type each decodes as. */
const DESCR_CODES: Record<string, ElementType> = {
  f2: 'F16', f4: 'F32', f8: 'F64',
  i1: 'I8', i2: 'I16', i4: 'I32', i8: 'I64',
  u1: 'U8', u2: 'U16', u4: 'U32', u8: 'U64',
  b1: 'BOOL',
};

const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Options for `serializeNpy` and `writeNpy`. */
export interface NpyWriteOptions {
  /** Store int32 tensors as `<i8` (int64), what NumPy and PyTorch use for indices. */
  intDescr?: '<i4' | '<i8';
  /** Name used in error messages; `writeNpy` passes the file name. */
  fileNameForErrors?: string;
}

/**
 * Parses a whole `.npy` file held in memory into one tensor (the caller owns it).
 * `<f2`/`<f4`/`<f8` become float32, integer types int32 (range-checked), `|b1` bool.
 *
 * @param bytes the complete file contents
 * @param fileNameForErrors prefix of every error message
 * @throws TensorFileError for any malformed or unsupported input; never anything else
 */
export function parseNpy(bytes: Uint8Array, fileNameForErrors = '<npy>'): tf.Tensor {
  const fail = (problem: string): never => { throw new TensorFileError(fileNameForErrors, problem); };
  if (bytes.length < 10) fail(`file is ${bytes.length} bytes, too short for a .npy header`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) fail('not a .npy file (missing the \\x93NUMPY magic string)');
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefixLen = major === 1 ? 10 : 12;
  if (bytes.length < prefixLen) fail(`file is ${bytes.length} bytes, too short for a version ${major}.0 .npy header`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > NPY_MAX_HEADER_BYTES) fail(`header length ${headerLen} is above the ${NPY_MAX_HEADER_BYTES}-byte limit`);
  if (prefixLen + headerLen > bytes.length) {
    fail(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`);
  }
  const headerBytes = bytes.subarray(prefixLen, prefixLen + headerLen);
  let text = '';
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
    } catch {
      fail('version 3.0 header is not valid UTF-8');
    }
  } else {
    text = Buffer.from(headerBytes).toString('latin1');
  }

  const dict = parseHeaderLiteral(text, fail);
  for (const key of dict.keys()) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape') fail(`header has unexpected key ${quoteForMessage(key)}`);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!dict.has(key)) fail(`header has no '${key}' key`);
  }
  const descr = dict.get('descr');
  if (typeof descr !== 'string') fail('structured dtypes (a list descr) are not supported; save a plain array');
  const { type, littleEndian } = parseDescr(descr as string, fail);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') fail(`fortran_order is ${quoteForMessage(fortran)}, not True or False`);
  if (fortran === true) {
    fail('fortran_order is True (column-major data); save a C-order array, e.g. np.save(f, np.ascontiguousarray(a))');
  }
  const shapeValue = dict.get('shape');
  if (!(shapeValue instanceof PyTuple)) fail(`shape is ${quoteForMessage(shapeValue)}, not a tuple`);
  const shape = (shapeValue as PyTuple).items;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`shape entry ${quoteForMessage(d)} is not a non-negative integer`);
    }
  }
  const dims = shape as number[];
  const size = elementCount(dims);
  if (size > MAX_TENSOR_ELEMENTS) fail(`shape ${pyTupleRepr(dims)} has more than the limit of ${MAX_TENSOR_ELEMENTS} elements`);
  const dataStart = prefixLen + headerLen;
  const need = size * ELEMENT_BYTES[type];
  const have = bytes.length - dataStart;
  if (have !== need) {
    fail(`data is ${have} bytes but shape ${pyTupleRepr(dims)} of ${descr as string} needs ${need}`);
  }
  const outOfRange = (i: number, value: bigint | number): never =>
    fail(`${descr as string} value ${value} at flat index ${i} does not fit in int32`);
  const decoded = decodeElements(type, view, dataStart, size, littleEndian, outOfRange);
  return tf.tensor(decoded.values, dims, decoded.dtype);
}

/**
 * Reads a `.npy` file from disk into one tensor (the caller owns it).
 *
 * @throws TensorFileError when the file cannot be read or is malformed
 */
export function readNpy(file: string): tf.Tensor {
  return parseNpy(readBytes(file), file);
}

/**
 * Serializes one tensor as `.npy` bytes identical to what `numpy.save` writes for the same
 * array: float32 as `<f4`, int32 as `<i4` (or `<i8`), bool as `|b1`, version 1.0 header
 * padded to 64 bytes.
 *
 * @throws TensorFileError for an unsupported dtype or a disposed tensor
 */
export function serializeNpy(tensor: tf.Tensor, options: NpyWriteOptions = {}): Uint8Array {
  const label = options.fileNameForErrors ?? '<npy>';
  if (!(tensor instanceof tf.Tensor)) throw new TensorFileError(label, 'value is not a tensor');
  if (tensor.isDisposed) throw new TensorFileError(label, 'tensor is disposed');
  let descr: string;
  let type: 'F32' | 'I32' | 'I64' | 'BOOL';
  if (tensor.dtype === 'float32') [descr, type] = ['<f4', 'F32'];
  else if (tensor.dtype === 'int32') [descr, type] = options.intDescr === '<i8' ? ['<i8', 'I64'] : ['<i4', 'I32'];
  else if (tensor.dtype === 'bool') [descr, type] = ['|b1', 'BOOL'];
  else throw new TensorFileError(label, `tensor has dtype ${tensor.dtype}, which .npy cannot hold here`);

  const shape = tensor.shape;
  // numpy leaves room for the first axis to grow to 21 digits so headers can be rewritten in place.
  const growth = shape.length > 0 ? ' '.repeat(Math.max(0, 21 - String(shape[0]).length)) : '';
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyTupleRepr(shape)}, }${growth}`;
  // Like numpy: the oldest version whose header-length field can hold the padded header.
  const dictLen = Buffer.byteLength(dict, 'latin1');
  const padded = (prefixLen: number) => {
    const hlen = dictLen + 1;
    return hlen + 64 - ((prefixLen + hlen) % 64);
  };
  const major = padded(10) <= 0xffff ? 1 : 2;
  const prefixLen = major === 1 ? 10 : 12;
  const hlen = padded(prefixLen);
  const body = tensor.size * ELEMENT_BYTES[type];
  const out = new Uint8Array(prefixLen + hlen + body);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) view.setUint16(8, hlen, true);
  else view.setUint32(8, hlen, true);
  out.set(Buffer.from(dict, 'latin1'), prefixLen);
  out.fill(0x20, prefixLen + dictLen, prefixLen + hlen - 1);
  out[prefixLen + hlen - 1] = 0x0a;
  encodeElements(type, tensor.dataSync() as ArrayLike<number>, view, prefixLen + hlen);
  return out;
}

/**
 * Writes one tensor to a `.npy` file (through a temporary file, renamed into place).
 *
 * @throws TensorFileError when the tensor cannot be stored or the file cannot be written
 */
export function writeNpy(file: string, tensor: tf.Tensor, options: Omit<NpyWriteOptions, 'fileNameForErrors'> = {}): void {
  writeBytes(file, serializeNpy(tensor, { ...options, fileNameForErrors: file }));
}

function pyTupleRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

function parseDescr(descr: string, fail: (p: string) => never): { type: ElementType; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const type = m ? DESCR_CODES[m[2]] : undefined;
  if (!m || !type || !Object.prototype.hasOwnProperty.call(DESCR_CODES, m[2])) {
    if (/^[<>|=]?O/.test(descr)) fail('object arrays (pickled Python objects) are not supported');
    fail(`dtype ${quoteForMessage(descr)} is not supported (supported: <f2 <f4 <f8 <i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1)`);
  }
  const order = m![1];
  const littleEndian = order === '<' ? true : order === '>' ? false : NATIVE_LITTLE_ENDIAN;
  return { type: type!, littleEndian };
}

/** A Python tuple, kept apart from lists so `shape: [2, 3]` is refused like NumPy refuses it. */
class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

/**
 * Parses the header's Python literal: a dict of str keys whose values are str, int, bool, None,
 * tuples or lists. This is the subset `numpy.save` writes; anything else is an error.
 */
function parseHeaderLiteral(text: string, fail: (p: string) => never): Map<string, PyValue> {
  let i = 0;
  const bad = (what: string): never =>
    fail(`header is not a valid dict literal (${what} at character ${i}): ${quoteForMessage(text.trim(), 60)}`);
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const value = (depth: number): PyValue => {
    if (depth > MAX_LITERAL_DEPTH) bad('nesting too deep');
    ws();
    const c = text[i];
    if (c === undefined) return bad('unexpected end');
    if (c === '{') {
      i++;
      const map = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return map; }
        const key = value(depth + 1);
        if (typeof key !== 'string') bad('dict key that is not a string');
        ws();
        if (text[i] !== ':') bad("missing ':'");
        i++;
        if (map.has(key as string)) bad(`duplicate key ${quoteForMessage(key)}`);
        map.set(key as string, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return map; }
        bad("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      let sawComma = false;
      for (;;) {
        ws();
        if (text[i] === close) { i++; break; }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; sawComma = true; continue; }
        if (text[i] === close) { i++; break; }
        bad(`expected ',' or '${close}'`);
      }
      if (c === '[') return items;
      // `(3)` is just the int 3 in Python; only a comma (or nothing) makes a tuple.
      if (items.length === 1 && !sawComma) return items[0];
      return new PyTuple(items);
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          const e = text[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e === undefined || !(e in simple)) bad('unsupported escape in string');
          s += simple[e];
          i += 2;
        } else {
          s += text[i++];
        }
      }
      if (text[i] !== c) bad('unterminated string');
      i++;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(i, i + 40));
    if (m) {
      i += m[0].length;
      if (m[2] === 'True') return true;
      if (m[2] === 'False') return false;
      if (m[2] === 'None') return null;
      return Number(m[1]);
    }
    return bad('unexpected character');
  };
  const top = value(0);
  ws();
  if (i !== text.length) bad('trailing characters');
  if (!(top instanceof Map)) return fail('header is not a dict literal');
  return top;
}
