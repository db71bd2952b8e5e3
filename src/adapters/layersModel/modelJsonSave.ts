import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** How to store float32 weights: as is, or quantized as the tfjs converter does. */
export type WeightQuantization = 'none' | 'float16' | 'uint16' | 'uint8';

/** Options of {@link saveModelJson}. */
export interface SaveModelJsonOptions {
  /** Shard size limit in bytes (tfjs's converter uses 4 MB). */
  shardBytes?: number;
  quantization?: WeightQuantization;
}

/** IEEE half-precision bits of a float32, rounding to nearest even. */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && (half & 1)) ? 1 : 0));
  }
  const rounded = mant + 0xfff + ((mant >>> 13) & 1);
  if (rounded & 0x800000) { mant = 0; exp += 1; } else mant = rounded;
  if (exp >= 0x1f) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

/** Encodes one float32 weight with the converter's affine (uint8/uint16) or float16 scheme. */
function quantize(values: Float32Array, kind: Exclude<WeightQuantization, 'none'>): { bytes: Uint8Array; quantization: tf.io.WeightsManifestEntry['quantization'] } {
  if (kind === 'float16') {
    const out = new Uint16Array(values.length);
    values.forEach((v, i) => { out[i] = toHalf(v); });
    return { bytes: new Uint8Array(out.buffer), quantization: { dtype: 'float16' } };
  }
  const levels = kind === 'uint8' ? 255 : 65535;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  if (!Number.isFinite(min)) { min = 0; max = 0; }
  // Keep 0 exactly representable, as the converter does.
  min = Math.min(min, 0);
  max = Math.max(max, 0);
  const scale = max === min ? 1 : (max - min) / levels;
  const zero = Math.round(-min / scale);
  min = -zero * scale;
  const out = kind === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  values.forEach((v, i) => { out[i] = Math.max(0, Math.min(levels, Math.round((v - min) / scale))); });
  return { bytes: new Uint8Array(out.buffer), quantization: { dtype: kind, scale, min } };
}

/**
 * Saves a layers model as `model.json` plus weight shards in `dir`, readable
 * by `tf.loadLayersModel` and by {@link loadModelJson}. With `quantization`,
 * float32 weights are stored as tfjs's converter stores them.
 * Returns the path of the written model.json.
 */
export async function saveModelJson(model: tf.LayersModel, dir: string, opts: SaveModelJsonOptions = {}): Promise<string> {
  const shardBytes = opts.shardBytes ?? 4 * 1024 * 1024;
  const kind = opts.quantization ?? 'none';
  fs.mkdirSync(dir, { recursive: true });
  let written = '';
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const source = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const specs: tf.io.WeightsManifestEntry[] = [];
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const spec of artifacts.weightSpecs ?? []) {
      const size = spec.shape.reduce((a, b) => a * b, 1) * (spec.dtype === 'bool' ? 1 : 4);
      const raw = source.slice(offset, offset + size);
      offset += size;
      if (kind !== 'none' && spec.dtype === 'float32') {
        const { bytes, quantization } = quantize(new Float32Array(raw.buffer), kind);
        chunks.push(bytes);
        specs.push({ ...spec, quantization });
      } else {
        chunks.push(raw);
        specs.push(spec);
      }
    }
    const all = Buffer.concat(chunks);
    const count = Math.max(1, Math.ceil(all.length / shardBytes));
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `group1-shard${i + 1}of${count}.bin`;
      fs.writeFileSync(path.join(dir, name), all.subarray(i * shardBytes, (i + 1) * shardBytes));
      paths.push(name);
    }
    written = path.join(dir, 'model.json');
    const json = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: 'Module Lens',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths, weights: specs }],
    };
    fs.writeFileSync(written, `${JSON.stringify(json)}\n`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return written;
}
