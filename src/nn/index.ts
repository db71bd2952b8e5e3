/**
 * `nn`: PyTorch's `torch.nn` module model over TensorFlow.js.
 * @packageDocumentation
 */
export { Module } from './module';
export { Parameter } from './parameter';
export {
  RemovableHandle, registerModuleForwardPreHook, registerModuleForwardHook,
  registerModuleFullBackwardPreHook, registerModuleFullBackwardHook,
  type ForwardPreHook, type ForwardHook, type BackwardPreHook, type BackwardHook, type Grad, type HookOptions, type HookKind,
} from './hooks';
export { backward } from './backward';
export { manualSeed } from './init';
export { ModuleCallError, HookError } from './errors';
export type { LoadStateDictResult, StateDictInput } from './stateDict';
export { Linear, Identity } from './layers/linear';
export { Conv1d, Conv2d, type ConvOptions } from './layers/conv';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './layers/batchNorm';
export { LayerNorm } from './layers/layerNorm';
export { Dropout } from './layers/dropout';
export { Embedding } from './layers/embedding';
export { Flatten } from './layers/flatten';
export { ReLU, GELU, Sigmoid, Tanh, Softmax } from './layers/activation';
export { Sequential, ModuleList, ModuleDict } from './layers/containers';
