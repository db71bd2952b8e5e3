/** tfjs layers models seen through the `nn.Module` lens, and their files. */
export { adaptLayersModel, LayersModelModule } from './layersModelModule';
export { LayerModule, shortWeightName } from './layerModule';
export { loadModelJson, MAX_MODEL_JSON_BYTES } from './modelJsonLoad';
export { saveModelJson, type SaveModelJsonOptions, type WeightQuantization } from './modelJsonSave';
