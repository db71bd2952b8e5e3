#!/usr/bin/env node
// Writes examples/cnn/: a small conv net (conv-BN-pool-conv-dense-dropout-dense
// on 32×32×3) saved as a TensorFlow.js layers model.json plus one weight shard.
// Run: node scripts/make_cnn_example.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const outDir = path.resolve(__dirname, '..', 'examples', 'cnn');
  const model = tf.sequential({ name: 'demo_cnn' });
  const seed = 7;
  const init = (s) => tf.initializers.glorotUniform({ seed: seed + s });
  model.add(tf.layers.conv2d({ name: 'conv_1', inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: init(1) }));
  model.add(tf.layers.batchNormalization({ name: 'bn_1' }));
  model.add(tf.layers.activation({ name: 'relu_1', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool_1', poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: 'conv_2', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'dense_1', units: 32, activation: 'relu', kernelInitializer: init(3) }));
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.5 }));
  model.add(tf.layers.dense({ name: 'logits', units: 10, kernelInitializer: init(4) }));

  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    fs.mkdirSync(outDir, { recursive: true });
    const shard = 'group1-shard1of1.bin';
    fs.writeFileSync(path.join(outDir, shard), Buffer.from(artifacts.weightData));
    const json = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs }],
    };
    fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  console.log(`wrote ${outDir}/model.json (${model.countParams()} parameters)`);
}

main().catch((err) => { console.error(err.message); process.exit(1); });
