/**
 * What the extension-host half of part 7 reports to the bench process, and where. Kept apart
 * from `treeExpansion.ts` because that file imports `vscode`, which only the extension host has.
 */

/** The environment variable naming the JSON file the figures are written to. */
export const TREE_BENCH_OUT_ENV = 'MODULE_LENS_BENCH_OUT';

/** What the extension host measured. */
export interface TreeExpansionFigures {
  modules: number;
  openMs: number;
  /** Each expansion of the root, in ms of extension-host time. */
  expandMs: number[];
  rowsShown: number;
  error?: string;
}
