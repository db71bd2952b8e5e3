import * as path from 'node:path';

/**
 * The repository root. The harness runs from `out/test/harness/`, three levels below it.
 */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Where the harness keeps the tools it installs (gitignored). */
export const vscodeTestDir = path.join(repoRoot, '.vscode-test');

/** Where runs leave screenshots and logs for a person to look at (gitignored). */
export const testResultsDir = path.join(repoRoot, 'test-results');

/** The demo workspace that runs open (tests open a temporary copy of it). */
export const examplesDir = path.join(repoRoot, 'examples');

/** The compiled integration suite, as VS Code's `extensionTestsPath` wants it (no `.js`). */
export const suiteEntry = path.join(repoRoot, 'out', 'test', 'suite', 'index');

/** Where the harness installs code-server. */
export const codeServerRoot = path.join(vscodeTestDir, 'code-server');

/** The installed code-server package. */
export const codeServerPackage = path.join(codeServerRoot, 'node_modules', 'code-server');

/** code-server's command-line entry point, run with this Node. */
export const codeServerEntry = path.join(codeServerPackage, 'out', 'node', 'entry.js');
