/**
 * What every CLI command does first: pick the backend, then load the model file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend, type BackendPreference } from '../adapters/backend';
import { loadModelFile, type LoadedModel } from '../adapters/modelFile';

/** A loaded model file (its `model` is always an `nn.Module`). */
export type CliModel = LoadedModel;

/** Where the CLI writes; tests pass their own to run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Selects the backend and loads `file`. Fallback notes go to stderr only when the user forced
 * a backend: with `auto`, falling back from the often-absent native backend is the normal case.
 */
export async function openModel(file: string, backend: BackendPreference, io: CliIo): Promise<{ loaded: CliModel; backend: string }> {
  const selection = await selectBackend(backend, { wasmDir: bundledWasmDir() });
  if (backend !== 'auto') {
    for (const note of selection.notes) {
      io.stderr(`module-lens: ${note}\n`);
    }
  }
  const loaded = await loadModelFile(file);
  return { loaded, backend: selection.backend };
}

/** The bundled CLI (`dist/cli.js`) has the `.wasm` files copied next to it; the compiled one does not. */
function bundledWasmDir(): string | undefined {
  return fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm')) ? __dirname : undefined;
}
