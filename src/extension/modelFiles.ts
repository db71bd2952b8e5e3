/**
 * Which model files the extension will ask the server to load. Pure, so the
 * Restricted Mode rule is unit-testable.
 */

/** Extensions the Open Model picker offers (without the dot). */
export const MODEL_FILE_EXTENSIONS: readonly string[] = ['ts', 'mts', 'js', 'mjs', 'cjs', 'json'];

/** True for TypeScript/JavaScript model files, which run their code when loaded. */
export function isCodeModelFile(file: string): boolean {
  return /\.(?:[cm]?js|m?ts)$/i.test(file);
}

/** True for a file the server can load at all. */
export function isModelFile(file: string): boolean {
  return isCodeModelFile(file) || /\.json$/i.test(file);
}

/**
 * Why a file must not be opened, or `undefined` when it may be.
 *
 * @param file - absolute path of the file
 * @param trusted - `vscode.workspace.isTrusted`
 * @param builtin - the file is the demo model shipped inside the extension, which is the
 *   extension's own code and so as trusted as the extension itself
 */
export function refusalFor(file: string, trusted: boolean, builtin: boolean): string | undefined {
  const name = file.split(/[\\/]/).pop() ?? file;
  if (!isModelFile(file)) {
    return `${name} is not a model file: Module Lens opens .ts, .mts, .js, .mjs, .cjs and model.json files (and loads .safetensors state dicts into open models).`;
  }
  if (isCodeModelFile(file) && !trusted && !builtin) {
    // Loading a JS/TS model executes it, which Restricted Mode exists to prevent.
    return `${name} is a TypeScript/JavaScript model, and loading it runs its code. ` +
      'Module Lens does not run workspace code in Restricted Mode: trust this workspace to open it (model.json and .safetensors files open either way).';
  }
  return undefined;
}

/** True for a `.safetensors` state dict, which Load State Dict… reads into an open model. */
export function isStateDictFile(file: string): boolean {
  return /\.safetensors$/i.test(file);
}

/**
 * Why a state dict file must not be loaded, or `undefined` when it may be. A `.safetensors`
 * file is a JSON header and raw numbers, never code, so Restricted Mode allows it.
 */
export function stateDictRefusal(file: string): string | undefined {
  const name = file.split(/[\\/]/).pop() ?? file;
  return isStateDictFile(file) ? undefined : `${name} is not a state dict: Module Lens loads .safetensors files into open models.`;
}
