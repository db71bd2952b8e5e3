/**
 * Module Lens as a library: `import { nn, tf } from 'module-lens'`.
 *
 * `tf` is the single TensorFlow.js instance the engine uses; model code must
 * use it (two tfjs instances cannot share tensors).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import * as nn from './nn';

export { nn, tf };
