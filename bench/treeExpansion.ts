/**
 * Part 7: the Modules tree of a 10,001-module model, timed in a real extension host.
 *
 * Starts code-server (the integration tests' harness) with the repository's built extension
 * and `bench/extensionHost/treeExpansion.ts` as its `extensionTestsPath`, which opens the
 * model through the extension's command and times the root's expansion as the view runs it
 * (`getChildren`, then `getTreeItem` per row). The figure is extension-host time: the
 * server's answer over the real language client plus building the rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, openWorkbench } from '../test/harness/browser';
import { ensureCodeServer, startCodeServer } from '../test/harness/codeServer';
import { assertBuilt } from '../test/harness/extension';
import { workbenchUrl } from '../test/harness/launch';
import { repoRoot } from '../test/harness/paths';
import { createSession } from '../test/harness/session';
import { TREE_BENCH_OUT_ENV, type TreeExpansionFigures } from './extensionHost/treeFigures';
import { median } from './timing';

/** The target: the root of a 10,000-module model expands in under 200 ms. */
export const TREE_EXPANSION_TARGET_MS = 200;

/** What part 7 found. */
export interface TreeExpansionResult {
  modules?: number;
  openMs?: number;
  expandMs?: number[];
  medianMs?: number;
  rowsShown?: number;
  error?: string;
}

const ENTRY = path.join(repoRoot, 'out', 'bench', 'extensionHost', 'treeExpansion');
const TIMEOUT_MS = 240_000;

export async function runTreeExpansion(log: (line: string) => void): Promise<TreeExpansionResult> {
  assertBuilt(repoRoot);
  await ensureCodeServer(log);
  const session = createSession('bench-tree');
  const outFile = path.join(session.dir, 'tree-expansion.json');
  const server = await startCodeServer({
    workspace: session.workspace,
    userDataDir: session.userDataDir,
    extensionsDir: session.extensionsDir,
    trust: true,
    env: { [TREE_BENCH_OUT_ENV]: outFile },
  });
  const browser = await launchBrowser();
  try {
    await openWorkbench(browser, workbenchUrl(server, session.workspace, { extensionDevelopmentPath: repoRoot, extensionTestsPath: ENTRY }));
    const deadline = Date.now() + TIMEOUT_MS;
    while (!fs.existsSync(outFile)) {
      if (Date.now() > deadline) return { error: `the extension host wrote no figures within ${TIMEOUT_MS / 1000} s` };
      await new Promise((r) => setTimeout(r, 250));
    }
    const f = JSON.parse(fs.readFileSync(outFile, 'utf8')) as TreeExpansionFigures;
    if (f.error) return { error: f.error };
    const result: TreeExpansionResult = { modules: f.modules, openMs: f.openMs, expandMs: f.expandMs, medianMs: median(f.expandMs), rowsShown: f.rowsShown };
    log(`  ${f.modules.toLocaleString('en-US')}-module model: opened in ${f.openMs.toFixed(0)} ms (server load + first tree refresh)`);
    log(`  root expansion (${f.rowsShown} rows, extension-host time): ${f.expandMs.map((t) => t.toFixed(1)).join(', ')} ms; median ${result.medianMs!.toFixed(1)} ms (target < ${TREE_EXPANSION_TARGET_MS} ms)`);
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    session.dispose();
  }
}
