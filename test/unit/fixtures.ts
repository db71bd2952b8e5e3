/**
 * Loads the PyTorch reference fixtures written by scripts/make_fixtures.py.
 * test/fixtures/README.md documents every case and key.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../../src/adapters/tensorFiles/safetensors';

/** Tests run from out/test/unit, so the committed fixtures are three levels up. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../test/fixtures');

/** One fixture case: its tensors (caller disposes them) and its JSON side file. */
export interface Fixture {
  tensors: Map<string, tf.Tensor>;
  meta: any;
}

/**
 * Reads `test/fixtures/<name>.safetensors` and `test/fixtures/<name>.json`.
 * The returned tensors are owned by the caller: dispose them (e.g. `disposeFixture`).
 */
export function loadFixture(name: string): Fixture {
  const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'));
  const { tensors } = readSafetensors(path.join(FIXTURES_DIR, `${name}.safetensors`));
  return { tensors, meta };
}

/** Returns the tensor stored under `key`, failing with the list of keys when it is missing. */
export function fixtureTensor(fixture: Fixture, key: string): tf.Tensor {
  const t = fixture.tensors.get(key);
  if (!t) throw new Error(`fixture has no tensor ${JSON.stringify(key)}; it has: ${[...fixture.tensors.keys()].join(', ')}`);
  return t;
}

/** Tensors whose keys start with `prefix`, with the prefix removed (e.g. a state dict under 'state.'). */
export function fixtureGroup(fixture: Fixture, prefix: string): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of fixture.tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), t);
  return out;
}

/** Disposes every tensor of a fixture. */
export function disposeFixture(fixture: Fixture): void {
  for (const t of fixture.tensors.values()) t.dispose();
}
