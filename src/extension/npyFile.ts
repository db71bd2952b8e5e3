/**
 * Writes NumPy `.npy` files (format 1.0, C order, little-endian) from the values
 * `getTensor` returns, for Export as .npy on parameter and buffer rows. Pure:
 * the extension never loads the engine, so this is its own small writer.
 */

/** NumPy's `descr` for each tfjs dtype a parameter or buffer can have. */
const DESCR: Readonly<Record<string, { descr: string; bytes: number }>> = {
  float32: { descr: '<f4', bytes: 4 },
  int32: { descr: '<i4', bytes: 4 },
  bool: { descr: '|b1', bytes: 1 },
};

/** Magic, version 1.0: `\x93NUMPY\x01\x00`. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0];

/**
 * The header of a `.npy` file: magic, version, length, and the Python dict
 * `{'descr': …, 'fortran_order': False, 'shape': (…), }` padded with spaces and
 * ended by a newline so the data starts at a multiple of 64 bytes, as NumPy writes it.
 *
 * @throws Error for a dtype `.npy` cannot hold here or an invalid shape
 */
export function npyHeader(dtype: string, shape: readonly number[]): Uint8Array {
  const type = DESCR[dtype];
  if (!type) throw new Error(`cannot write dtype ${dtype} to .npy (float32, int32 and bool can be)`);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`invalid shape [${shape.join(', ')}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '${type.descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  const text = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (text.length > 0xffff) throw new Error('shape too long for a .npy 1.0 header');
  const out = new Uint8Array(MAGIC.length + 2 + text.length);
  out.set(MAGIC);
  out[8] = text.length & 0xff;
  out[9] = text.length >> 8;
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/**
 * A whole `.npy` file: header, then the values in row-major order.
 *
 * @param values - flat values (bool as 0/1), `shape`'s product of them
 * @throws Error when the values do not fill the shape, or for an unsupported dtype
 */
export function npyBytes(dtype: string, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const header = npyHeader(dtype, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`shape [${shape.join(', ')}] holds ${size} values, got ${values.length}`);
  const { bytes } = DESCR[dtype];
  const out = new Uint8Array(header.length + size * bytes);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  for (let i = 0; i < size; i++) {
    const v = values[i];
    if (dtype === 'float32') view.setFloat32(i * 4, v, true);
    else if (dtype === 'int32') view.setInt32(i * 4, v, true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return out;
}
