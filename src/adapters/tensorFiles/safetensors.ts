/**
 * Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
 * 8 bytes little-endian header length N, N bytes of UTF-8 JSON header, then the raw data.
 *
 * Files come from users and from PyTorch, so every byte is treated as untrusted: the reader
 * validates the whole header before it decodes anything, and decodes everything before it
 * creates a single tensor, so a failure never leaves tensors behind.
 */
import * as tf from '@tensorflow/tfjs';
import { TensorFileError, quoteForMessage } from './tensorFileError';
import {
  DecodedValues, ELEMENT_BYTES, ElementType, MAX_TENSOR_ELEMENTS, decodeElements, defineOwn, elementCount,
  encodeElements, readBytes, writeBytes,
} from './codec';

export { MAX_TENSOR_ELEMENTS, MAX_TENSOR_FILE_BYTES } from './codec';

/** Dtypes this reader understands. Wider or unsigned integers are range-checked into int32. */
export type SafetensorsDtype = ElementType;

/**
 * The reference implementation's dtype enum order. Its serializer sorts tensors by this rank,
 * descending (widest alignment first), then by name; the writer does the same so its output
 * matches byte for byte.
 */
const DTYPE_RANK: Record<string, number> = {
  BOOL: 0, U8: 1, I8: 2, F8_E5M2: 3, F8_E4M3: 4, I16: 5, U16: 6, F16: 7, BF16: 8,
  I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14,
};

/** Same limit as the reference implementation, so both refuse the same files. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** What `parseSafetensors` and `readSafetensors` return. */
export interface SafetensorsContents {
  /** Tensors in header order; the caller owns (and disposes) every one. */
  tensors: Map<string, tf.Tensor>;
  /** The header's `__metadata__` map, or null when the file has none. */
  metadata: Record<string, string> | null;
}

/** Options for `serializeSafetensors` and `writeSafetensors`. */
export interface SafetensorsWriteOptions {
  /** Free-form string map stored as `__metadata__` (written in insertion order). */
  metadata?: Record<string, string>;
  /** Store int32 tensors as I64, which is what PyTorch uses for indices and counters. */
  intDtype?: 'I32' | 'I64';
  /** Name used in error messages; `writeSafetensors` passes the file name. */
  fileNameForErrors?: string;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  size: number;
  begin: number;
  end: number;
}

type Decoded = DecodedValues & { name: string; shape: number[] };

/**
 * Parses a whole safetensors file held in memory.
 *
 * @param bytes the complete file contents
 * @param fileNameForErrors prefix of every error message
 * @returns the tensors in header order (F16/BF16/F64 decoded to float32, integer types to
 *   int32 with a range check, U8 to int32, BOOL to bool) and the `__metadata__` map
 * @throws TensorFileError for any malformed input; never anything else
 */
export function parseSafetensors(bytes: Uint8Array, fileNameForErrors = '<safetensors>'): SafetensorsContents {
  const fail = (problem: string): never => { throw new TensorFileError(fileNameForErrors, problem); };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenLo = view.getUint32(0, true);
  const lenHi = view.getUint32(4, true);
  const headerLen = lenHi * 2 ** 32 + lenLo;
  if (headerLen > SAFETENSORS_MAX_HEADER_BYTES) {
    fail(`header length ${headerLen} is above the ${SAFETENSORS_MAX_HEADER_BYTES}-byte (100 MB) limit`);
  }
  if (8 + headerLen > bytes.length) {
    fail(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`);
  }
  let text = '';
  try {
    // ignoreBOM keeps a leading BOM in the text, so it fails as JSON like it does in the reference.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    // V8 quotes the offending text in its message; keep the line short.
    const reason = String((e as Error).message).replace(/\s+/g, ' ');
    fail(`header is not valid JSON (${reason.length > 120 ? `${reason.slice(0, 119)}…` : reason})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail('header is not a JSON object');
  }
  const scan = scanJsonKeys(text);
  if (scan.duplicate) {
    const where = scan.duplicate.parent === null ? 'header' : `header entry ${quoteForMessage(scan.duplicate.parent)}`;
    fail(`duplicate key ${quoteForMessage(scan.duplicate.key)} in ${where}`);
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const record = header as Record<string, unknown>;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const name of scan.topLevelKeys) {
    const value = record[name];
    if (name === '__metadata__') {
      metadata = parseMetadata(value, fail);
      continue;
    }
    entries.push(parseEntry(name, value, dataLen, fail));
  }
  checkCoverage(entries, dataLen, fail);

  const decoded = entries.map((e) => decodeEntry(e, view, dataStart, fail));
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const d of decoded) tensors.set(d.name, tf.tensor(d.values, d.shape, d.dtype));
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file from disk.
 *
 * @param file path of the file; it also prefixes every error message
 * @throws TensorFileError when the file cannot be read or is malformed
 */
export function readSafetensors(file: string): SafetensorsContents {
  return parseSafetensors(readBytes(file), file);
}

/**
 * Serializes tensors to safetensors bytes, ordered and padded like the reference implementation.
 *
 * @param tensors a Map (or record) from name to tensor; float32 is written as F32, int32 as I32
 *   (or I64 with `intDtype: 'I64'`), bool as BOOL. The tensors are read, not disposed.
 * @throws TensorFileError for an unsupported dtype, a disposed tensor or a reserved name
 */
export function serializeSafetensors(
  tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const label = options.fileNameForErrors ?? '<safetensors>';
  const fail = (problem: string): never => { throw new TensorFileError(label, problem); };
  const items = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const prepared = items.map(([name, t]) => {
    if (name === '__metadata__') fail('"__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof tf.Tensor)) fail(`value for ${quoteForMessage(name)} is not a tensor`);
    if (t.isDisposed) fail(`tensor ${quoteForMessage(name)} is disposed`);
    let dtype: 'F32' | 'I32' | 'I64' | 'BOOL';
    if (t.dtype === 'float32') dtype = 'F32';
    else if (t.dtype === 'int32') dtype = options.intDtype === 'I64' ? 'I64' : 'I32';
    else if (t.dtype === 'bool') dtype = 'BOOL';
    else return fail(`tensor ${quoteForMessage(name)} has dtype ${t.dtype}, which safetensors cannot hold here`);
    return { name, dtype, tensor: t, nameBytes: Buffer.from(name, 'utf8') };
  });
  prepared.sort((a, b) => (DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype]) || Buffer.compare(a.nameBytes, b.nameBytes));

  // Built by hand because JSON.stringify of an object would move integer-like names ("10")
  // to the front, and the header must list tensors in data order like the reference does.
  const parts: string[] = [];
  if (options.metadata) {
    const md: string[] = [];
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string') fail(`metadata value for ${quoteForMessage(k)} is not a string`);
      md.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${md.join(',')}}`);
  }
  let offset = 0;
  for (const p of prepared) {
    const n = p.tensor.size * ELEMENT_BYTES[p.dtype];
    parts.push(`${JSON.stringify(p.name)}:${JSON.stringify({ dtype: p.dtype, shape: p.tensor.shape, data_offsets: [offset, offset + n] })}`);
    offset += n;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const p of prepared) {
    const values = p.tensor.dataSync();
    at = encodeElements(p.dtype, values as ArrayLike<number>, view, at);
  }
  return out;
}

/**
 * Writes tensors to a safetensors file (through a temporary file, so a failed write never
 * leaves a half-written file under the real name).
 *
 * @throws TensorFileError when a tensor cannot be stored or the file cannot be written
 */
export function writeSafetensors(
  file: string,
  tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  options: Omit<SafetensorsWriteOptions, 'fileNameForErrors'> = {},
): void {
  writeBytes(file, serializeSafetensors(tensors, { ...options, fileNameForErrors: file }));
}

function parseMetadata(value: unknown, fail: (p: string) => never): Record<string, string> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) fail('"__metadata__" is not an object of strings');
  const md: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`"__metadata__" value for ${quoteForMessage(k)} is not a string`);
    defineOwn(md, k, v);
  }
  return md;
}

function parseEntry(name: string, value: unknown, dataLen: number, fail: (p: string) => never): Entry {
  const q = quoteForMessage(name);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`header entry ${q} is not an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.dtype !== 'string') fail(`tensor ${q} has no dtype string`);
  const dtypeName = v.dtype as string;
  if (!Object.prototype.hasOwnProperty.call(ELEMENT_BYTES, dtypeName)) {
    if (Object.prototype.hasOwnProperty.call(DTYPE_RANK, dtypeName)) fail(`tensor ${q} has dtype ${dtypeName}, which is not supported`);
    fail(`tensor ${q} has unknown dtype ${quoteForMessage(dtypeName)} (known: ${Object.keys(ELEMENT_BYTES).join(', ')})`);
  }
  const dtype = dtypeName as SafetensorsDtype;
  if (!Array.isArray(v.shape)) fail(`tensor ${q} has no shape array`);
  const shape = v.shape as unknown[];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`tensor ${q} has shape entry ${quoteForMessage(d)}, not a non-negative integer`);
    }
  }
  const size = elementCount(shape as number[]);
  if (size > MAX_TENSOR_ELEMENTS) {
    fail(`tensor ${q} declares shape [${shape.join(', ')}], more than the limit of ${MAX_TENSOR_ELEMENTS} elements`);
  }
  const offs = v.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor ${q} has data_offsets ${quoteForMessage(offs)}, not two non-negative integers`);
  }
  const [begin, end] = offs as [number, number];
  if (begin > end) fail(`tensor ${q} has data_offsets [${begin}, ${end}] that end before they begin`);
  if (end > dataLen) fail(`tensor ${q} has data_offsets [${begin}, ${end}] past the end of the data (${dataLen} bytes)`);
  const need = size * ELEMENT_BYTES[dtype];
  if (end - begin !== need) {
    fail(`tensor ${q}: shape [${shape.join(', ')}] of ${dtype} needs ${need} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], size, begin, end };
}

function checkCoverage(entries: Entry[], dataLen: number, fail: (p: string) => never): void {
  const sorted = [...entries].sort((a, b) => (a.begin - b.begin) || (a.end - b.end));
  let at = 0;
  let prev: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at && prev) {
      fail(`tensors ${quoteForMessage(prev.name)} and ${quoteForMessage(e.name)} overlap (data_offsets [${prev.begin}, ${prev.end}] and [${e.begin}, ${e.end}])`);
    }
    if (e.begin > at) fail(`data bytes ${at}..${e.begin} are not covered by any tensor (before ${quoteForMessage(e.name)})`);
    at = e.end;
    prev = e;
  }
  if (at !== dataLen) fail(`data has ${dataLen - at} trailing bytes after the last tensor (data_offsets must cover the data exactly)`);
}

function decodeEntry(e: Entry, view: DataView, dataStart: number, fail: (p: string) => never): Decoded {
  const outOfRange = (i: number, value: bigint | number): never =>
    fail(`tensor ${quoteForMessage(e.name)}: ${e.dtype} value ${value} at flat index ${i} does not fit in int32`);
  const decoded = decodeElements(e.dtype, view, dataStart + e.begin, e.size, true, outOfRange);
  return { ...decoded, name: e.name, shape: e.shape };
}

interface KeyScan {
  topLevelKeys: string[];
  duplicate?: { key: string; parent: string | null };
}

/**
 * Lists the top-level keys of already-valid JSON text in document order, and finds the first
 * duplicate key at any depth. JSON.parse keeps the last of two equal keys silently and puts
 * integer-like keys first, so neither the order nor duplicates can be read from its result.
 * Iterative (no recursion), so deeply nested input cannot overflow the stack.
 */
function scanJsonKeys(text: string): KeyScan {
  type Frame = { isObject: boolean; expectKey: boolean; keys: Set<string> | null; label: string | null; lastKey: string | null };
  const stack: Frame[] = [];
  const topLevelKeys: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top && top.isObject && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys!.has(key)) {
          const parent = stack.length >= 2 ? stack[stack.length - 1].label : null;
          return { topLevelKeys, duplicate: { key, parent } };
        }
        top.keys!.add(key);
        top.lastKey = key;
        top.expectKey = false;
        if (stack.length === 1) topLevelKeys.push(key);
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1];
      const label = parent ? (parent.isObject ? parent.lastKey : parent.label) : null;
      const isObject = c === 0x7b;
      stack.push({ isObject, expectKey: isObject, keys: isObject ? new Set() : null, label, lastKey: null });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && top.isObject) top.expectKey = true;
    }
    i++;
  }
  return { topLevelKeys };
}
