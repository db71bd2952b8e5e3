/**
 * Picks and opens the model shown on activation, so the tree is never empty
 * on first use. No `vscode` import: the composition root passes in what it needs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the default model lives, relative to a workspace folder and to the extension. */
export const DEFAULT_MODEL = path.join('examples', 'custom-linear.ts');

/** The model to open on activation and whether it is the extension's own copy. */
export interface DefaultModelChoice {
  readonly file: string;
  readonly builtin: boolean;
  /** Why the workspace's copy was passed over, if it was. */
  readonly note?: string;
}

/**
 * The first workspace folder's `examples/custom-linear.ts` when present and the
 * workspace is trusted, else the copy shipped in the extension.
 *
 * @param workspaceFolders - file-system paths of the workspace folders
 * @param extensionPath - the extension's install folder
 * @param trusted - `vscode.workspace.isTrusted`
 * @param exists - file test (injectable for tests)
 */
export function chooseDefaultModel(
  workspaceFolders: readonly string[],
  extensionPath: string,
  trusted: boolean,
  exists: (file: string) => boolean = fs.existsSync,
): DefaultModelChoice {
  const builtin = { file: path.join(extensionPath, DEFAULT_MODEL), builtin: true };
  const inWorkspace = workspaceFolders.map((f) => path.join(f, DEFAULT_MODEL)).find((f) => exists(f));
  if (!inWorkspace || path.resolve(inWorkspace) === path.resolve(builtin.file)) return builtin;
  // A workspace model is code; in Restricted Mode show the shipped demo instead of refusing outright.
  return trusted ? { file: inWorkspace, builtin: false }
    : { ...builtin, note: `Restricted Mode: showing the built-in demo instead of ${inWorkspace}` };
}
