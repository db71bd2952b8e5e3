/**
 * `run --input x.npy|x.json`: the model input from a file instead of the model's `input()`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readNpy } from '../adapters/tensorFiles/npy';
import { CliError } from './cliError';

/**
 * Reads a `.npy` array or a `.json` nested number array (booleans make a bool tensor).
 *
 * @throws TensorFileError or CliError, both one line naming `file`
 */
export function readInputFile(file: string): tf.Tensor {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') {
    return readNpy(file);
  }
  if (ext !== '.json') {
    throw new CliError(file, `unsupported input file type "${ext}", expected .npy or .json`);
  }
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(file, code === 'ENOENT' ? 'file not found' : `cannot read JSON: ${(err as Error).message}`);
  }
  const leaf = firstLeaf(data);
  if (leaf === undefined || (typeof leaf !== 'number' && typeof leaf !== 'boolean')) {
    throw new CliError(file, 'expected a number or a nested array of numbers');
  }
  try {
    return tf.tensor(data as tf.TensorLike, undefined, typeof leaf === 'boolean' ? 'bool' : 'float32');
  } catch (err) {
    // tfjs explains ragged arrays and mixed element types well enough; keep its words.
    throw new CliError(file, (err as Error).message);
  }
}

function firstLeaf(value: unknown): unknown {
  let v = value;
  while (Array.isArray(v)) {
    if (v.length === 0) {
      // An empty array is a valid (empty) float tensor.
      return 0;
    }
    v = v[0];
  }
  return v;
}
