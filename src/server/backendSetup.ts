/**
 * Chooses the tfjs backend once, at server start. The wasm binaries are copied
 * next to the bundle (webpack), so their folder is this file's folder when
 * bundled; unbundled (tests of the compiled sources) the engine finds them in
 * its own node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../adapters/backend';
import { parseBackendPreference, type ServerInfo } from '../protocol';

/** The binary the engine loads in Node; its presence marks the folder. */
const WASM_MARKER = 'tfjs-backend-wasm-simd.wasm';

/** The folder holding the wasm binaries when they ship next to this code, else `undefined`. */
export function bundledWasmDir(dir: string = __dirname): string | undefined {
  return fs.existsSync(path.join(dir, WASM_MARKER)) ? dir : undefined;
}

/**
 * Activates a backend according to the `moduleLens.backend` setting.
 *
 * @param setting - the raw setting value; unknown values mean `auto`
 * @returns the {@link ServerInfo} to report: the backend in use, one note per backend skipped
 */
export async function setUpBackend(setting: unknown): Promise<ServerInfo> {
  const pref = parseBackendPreference(setting);
  const notes: string[] = [];
  if (setting !== undefined && setting !== pref) notes.push(`unknown backend setting ${JSON.stringify(setting)}; using auto`);
  const selection = await selectBackend(pref, { wasmDir: bundledWasmDir() });
  return { backend: selection.backend, notes: [...notes, ...selection.notes], pid: process.pid };
}
