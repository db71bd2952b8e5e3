/** The tensors a run feeds the model, from the model file, a file, or a random shape. */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel, ModelInput } from '../../adapters/modelFile';
import { readNpy } from '../../adapters/tensorFiles/npy';
import type { RunInput } from '../../protocol';

/** Builds the input; the caller disposes it. Errors are one line naming the file or the problem. */
export function makeRunInput(loaded: LoadedModel, input: RunInput | undefined): ModelInput {
  const source = input ?? { source: 'default' };
  switch (source.source) {
    case 'default': {
      if (!loaded.input) {
        throw new Error(`${loaded.file}: the model file exports no input(); run with an input file or a random input of a given shape`);
      }
      const value = loaded.input();
      if (!(value instanceof tf.Tensor) && !(Array.isArray(value) && value.every((v) => v instanceof tf.Tensor))) {
        throw new Error(`${loaded.file}: input() must return a tensor or an array of tensors`);
      }
      return value;
    }
    case 'random':
      return tf.randomNormal([...source.shape]);
    case 'file': {
      if (source.file.endsWith('.npy')) return readNpy(source.file);
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(source.file, 'utf8'));
      } catch (err) {
        throw new Error(`${source.file}: ${(err as Error).message.split('\n')[0]}`);
      }
      try {
        return tf.tensor(parsed as tf.TensorLike);
      } catch (err) {
        throw new Error(`${source.file}: not a nested array of numbers (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
}

/** Disposes an input built by {@link makeRunInput}. */
export function disposeRunInput(input: ModelInput): void {
  tf.dispose(input);
}
