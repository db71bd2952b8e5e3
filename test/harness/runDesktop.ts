import * as fs from 'node:fs';
import { runTests } from '@vscode/test-electron';
import type { SuiteReport } from '../suite/report';
import { REPORT_ENV } from '../suite/report';
import { writeUserSettings } from './launch';
import { repoRoot, suiteEntry } from './paths';
import { shutdown } from './processes';
import { printReport } from './results';
import { createSession } from './session';

/**
 * `npm run test:desktop`: the same integration suite in desktop VS Code through
 * `@vscode/test-electron`, for machines that can download VS Code. Offline machines use
 * `npm run test:integration` (code-server) instead.
 */
async function main(): Promise<number> {
  const session = createSession('desktop');
  writeUserSettings(session.userDataDir, true);
  let exitError: Error | undefined;
  try {
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteEntry,
      extensionTestsEnv: { [REPORT_ENV]: session.reportFile },
      launchArgs: [session.workspace, '--user-data-dir', session.userDataDir, '--extensions-dir', session.extensionsDir],
    });
  } catch (err) {
    exitError = err as Error;
  }
  if (!fs.existsSync(session.reportFile)) {
    console.error(`desktop: no results (${exitError?.message ?? 'the suite did not run'})`);
    console.error('desktop: VS Code must be downloadable here; offline, use `npm run test:integration`');
    return 1;
  }
  const report = JSON.parse(fs.readFileSync(session.reportFile, 'utf8')) as SuiteReport;
  const failed = printReport('desktop', report);
  return failed || exitError || report.tests.length === 0 ? 1 : 0;
}

main()
  .catch((err: Error) => {
    console.error(`desktop: ${err.message}`);
    return 1;
  })
  .then(async (code) => {
    await shutdown();
    process.exit(code);
  });
