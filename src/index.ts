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
export { adaptLayersModel, LayersModelModule, LayerModule, loadModelJson, saveModelJson } from './adapters/layersModel';
export { readSafetensors, writeSafetensors } from './adapters/tensorFiles/safetensors';
export { readNpy, writeNpy } from './adapters/tensorFiles/npy';
