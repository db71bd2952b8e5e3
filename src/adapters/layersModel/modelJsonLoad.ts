import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelFileError, messageOf } from '../modelFile/modelFileError';
import { entryBytes, parseManifest } from './weightManifest';

/** A model.json larger than this is refused instead of parsed (a topology is kilobytes). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Reads a layers-model `model.json` and its weight shards from disk, on any
 * backend (tfjs's own `file://` handler exists only with tfjs-node). Both
 * tfjs-saved (`modelTopology` as `class_name`/`config`) and Keras-converted
 * (`modelTopology.model_config`) files load; sharded and quantized weights too.
 *
 * @throws ModelFileError `<file>: <problem>` for invalid JSON, a graph model,
 *   a missing or short shard, bad weight paths, unknown layer classes and
 *   shape mismatches.
 */
export async function loadModelJson(file: string): Promise<tf.LayersModel> {
  const fail = (problem: string, cause?: unknown): never => { throw new ModelFileError(file, problem, { cause }); };
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    fail('file not found');
  }
  if (size > MAX_MODEL_JSON_BYTES) {
    fail(`model.json is ${(size / 2 ** 20).toFixed(0)} MB, above the ${MAX_MODEL_JSON_BYTES / 2 ** 20} MB limit for a model topology`);
  }
  let json: any;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`invalid JSON: ${messageOf(err)}`, err);
  }
  if (!json || typeof json !== 'object') fail('not a model.json: the top level is not an object');
  if (json.format === 'graph-model' || json.modelTopology?.node) {
    fail('is a graph model (format "graph-model"); only layers models can be opened as modules');
  }
  if (!json.modelTopology || typeof json.modelTopology !== 'object') fail('has no "modelTopology"');

  const dir = path.dirname(path.resolve(file));
  let weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  if (json.weightsManifest !== undefined) {
    let parsed: ReturnType<typeof parseManifest> | undefined;
    try {
      parsed = parseManifest(json.weightsManifest, dir);
    } catch (err) {
      fail(messageOf(err), err);
    }
    parsed!.groups.forEach((group, gi) => {
      const expected = group.weights.reduce((n, w) => n + entryBytes(w), 0);
      const shards = parsed!.shardFiles[gi].map((shard, si) => {
        try {
          return fs.readFileSync(shard);
        } catch {
          return fail(`weight shard '${group.paths[si]}' is missing`);
        }
      });
      const total = shards.reduce((n, b) => n + b.length, 0);
      if (total < expected) {
        fail(`weight shards ${group.paths.map((p) => `'${p}'`).join(', ')} hold ${total} bytes, but the manifest's weights need ${expected}`);
      }
      if (total > expected) {
        fail(`weight shards ${group.paths.map((p) => `'${p}'`).join(', ')} hold ${total} bytes, more than the ${expected} the manifest's weight shapes account for`);
      }
      buffers.push(...shards);
      weightSpecs = weightSpecs.concat(group.weights);
    });
  }
  const data = Buffer.concat(buffers);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const before = new Set(Object.keys(tf.engine().registeredVariables));
  let decoded: tf.NamedTensorMap = {};
  // A layer can fail half-built (a bad weight name, say) after creating its initial values: a
  // scope collects every tensor made while building, to free them all on failure, or hand them
  // to the caller's scope on success. (Building runs without waiting on anything in between.)
  const engine = tf.engine() as unknown as { startScope(): void; endScope(result?: tf.TensorContainer): void; state: { activeScope: { track: tf.Tensor[] } } };
  engine.startScope();
  let scopeOpen = true;
  try {
    const model = await tf.models.modelFromJSON({ modelTopology: json.modelTopology } as tf.io.ModelJSON);
    decoded = tf.io.decodeWeights(weightData, weightSpecs);
    model.loadWeights(decoded, true);
    tf.dispose(Object.values(decoded));
    decoded = {};
    scopeOpen = false;
    engine.endScope(engine.state.activeScope.track.filter((t) => !t.isDisposed));
    return model;
  } catch (err) {
    if (scopeOpen) {
      scopeOpen = false;
      engine.endScope();
    }
    // Layers built before the failure already own variables; nothing else will free them.
    for (const [name, v] of Object.entries(tf.engine().registeredVariables)) if (!before.has(name)) v.dispose();
    const msg = messageOf(err);
    const unknown = /Unknown layer: (\w+)/.exec(msg);
    if (unknown) fail(`unknown layer class '${unknown[1]}'`, err);
    return fail(msg.split('\n')[0], err);
  } finally {
    // The variables hold their own references to the values.
    tf.dispose(Object.values(decoded));
  }
}
