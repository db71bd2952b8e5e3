import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplesDir, testResultsDir } from './paths';
import { onShutdown } from './processes';

/** Temporary folders for one run of code-server, removed when the run ends. */
export interface Session {
  dir: string;
  /** By default a fresh copy of `examples/`, so tests never change the repository's demo files. */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Where the integration suite writes its JSON report. */
  reportFile: string;
  /** Copies code-server's and the extension host's logs to `test-results/<name>-logs/`. */
  keepLogs(): string;
  dispose(): void;
}

/**
 * Creates a {@link Session} under the system temp folder. Its workspace is a copy of
 * `examples/` unless `workspace` names a folder to open in place.
 */
export function createSession(name: string, workspace?: string): Session {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `module-lens-${name}-`));
  if (!workspace) {
    workspace = path.join(dir, 'workspace');
    if (fs.existsSync(examplesDir)) fs.cpSync(examplesDir, workspace, { recursive: true });
    else fs.mkdirSync(workspace);
  }
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  fs.mkdirSync(userDataDir);
  fs.mkdirSync(extensionsDir);
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  onShutdown({ graceful: dispose, now: dispose });
  return {
    dir,
    workspace,
    userDataDir,
    extensionsDir,
    reportFile: path.join(dir, 'report.json'),
    keepLogs() {
      const dest = path.join(testResultsDir, `${name}-logs`);
      fs.rmSync(dest, { recursive: true, force: true });
      fs.mkdirSync(dest, { recursive: true });
      for (const file of logFiles(dir)) fs.copyFileSync(file, path.join(dest, path.basename(file)));
      return dest;
    },
    dispose,
  };
}

/** code-server's log and VS Code's server-side logs (extension host, remote agent) in `dir`. */
export function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (rel.endsWith('.log') && !rel.includes(`${path.sep}workspace${path.sep}`)) out.push(path.join(dir, rel));
  }
  return out;
}

/** Lines mentioning an error in the extension host's logs, newest last. */
export function extensionHostErrors(dir: string, max = 30): string[] {
  const lines: string[] = [];
  for (const file of logFiles(dir).filter((f) => /exthost/i.test(f))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (/\[error\]|error:|exception/i.test(line)) lines.push(line);
    }
  }
  return lines.slice(-max);
}
