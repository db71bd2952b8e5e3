import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SuiteReport } from '../suite/report';
import { GREP_ENV, REPORT_ENV, SUITE_ENV } from '../suite/report';
import { launchBrowser, openWorkbench, Workbench } from './browser';
import { ensureCodeServer, startCodeServer } from './codeServer';
import { assertBuilt } from './extension';
import { workbenchUrl } from './launch';
import { repoRoot, suiteEntry } from './paths';
import { shutdown } from './processes';
import { printReport } from './results';
import { createSession, extensionHostErrors, Session } from './session';
import { seconds, tail } from './text';

/**
 * `npm run test:integration`: runs the compiled suite in out/test/suite inside code-server's
 * real extension host, with the repository loaded as the extension under development.
 *
 * Options: `--extension <dir>` loads another extension folder instead of the repository
 * (useful while the extension is being built), `--timeout <seconds>` (default 300),
 * `--grep <regexp>` runs only the tests whose full title matches (a pass left with none is skipped).
 */
async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const extensionPath = args.extension ?? repoRoot;
  if (!fs.existsSync(`${suiteEntry}.js`)) throw new Error('out/test/suite/index.js is missing: run `npm run compile` first');
  assertBuilt(extensionPath);
  await ensureCodeServer();

  const started = Date.now();
  // Two passes: the main suite in a trusted workspace, then the Restricted Mode suite with
  // workspace trust on, where JS/TS model files must never run.
  let failed = 0;
  for (const pass of PASSES) {
    failed += await runPass(pass, extensionPath, args.timeoutS, args.grep);
  }
  console.log(`integration: finished in ${seconds(started)}`);
  return failed ? 1 : 0;
}

interface Pass { readonly name: string; readonly trust: boolean; readonly suite: string }

/** `suite` selects the test files (see test/suite/index.ts). */
const PASSES: readonly Pass[] = [
  { name: 'integration', trust: true, suite: 'main' },
  { name: 'integration (Restricted Mode)', trust: false, suite: 'restricted' },
];

async function runPass(pass: Pass, extensionPath: string, timeoutS: number, grep?: string): Promise<number> {
  const session = createSession(pass.suite === 'main' ? 'integration' : `integration-${pass.suite}`);
  const server = await startCodeServer({
    workspace: session.workspace,
    userDataDir: session.userDataDir,
    extensionsDir: session.extensionsDir,
    trust: pass.trust,
    env: { [REPORT_ENV]: session.reportFile, [SUITE_ENV]: pass.suite, ...(grep ? { [GREP_ENV]: grep } : {}) },
  });
  console.log(`${pass.name}: code-server ${server.url}, extension ${extensionPath}`);
  const browser = await launchBrowser();
  const url = workbenchUrl(server, session.workspace, { extensionDevelopmentPath: extensionPath, extensionTestsPath: suiteEntry });
  const workbench = await openWorkbench(browser, url);
  try {
    const report = await waitForReport(session, workbench, timeoutS * 1000, server.logFile);
    const failed = report ? printReport(pass.name, report) : 1;
    // With --grep a pass may rightly match nothing; without it, an empty pass means the suite did not load.
    const empty = !grep && report && report.tests.length === 0;
    if (empty) console.log(`${pass.name}: the suite ran no test`);
    if (failed || empty) console.log(`${pass.name}: logs kept in ${path.relative(process.cwd(), session.keepLogs())}`);
    return failed || empty ? 1 : 0;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/**
 * Polls the report file until the suite says it is done. Fails (returns undefined) with
 * diagnostics when the suite never starts or does not finish in time.
 */
async function waitForReport(session: Session, workbench: Workbench, timeoutMs: number, logFile: string): Promise<SuiteReport | undefined> {
  // The extension host normally starts the suite within seconds; a minute without a first
  // report means it never will.
  const startDeadline = Date.now() + Math.min(90_000, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  let report: SuiteReport | undefined;
  for (;;) {
    report = readReport(session.reportFile);
    if (report?.state === 'done') return report;
    if (!report && Date.now() > startDeadline) {
      console.log('integration: the extension host never started the suite');
      break;
    }
    if (Date.now() > deadline) {
      console.log(`integration: the suite did not finish within ${timeoutMs / 1000} s`);
      if (report) printReport('integration (so far)', report);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const hostErrors = extensionHostErrors(session.dir);
  if (hostErrors.length) console.log(`--- extension host errors ---\n${hostErrors.join('\n')}`);
  if (workbench.consoleErrors.length) console.log(`--- browser console errors ---\n${workbench.consoleErrors.slice(-20).join('\n')}`);
  console.log(`--- code-server log (last lines) ---\n${tail(logFile, 30)}`);
  return undefined;
}

function readReport(file: string): SuiteReport | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteReport;
  } catch {
    return undefined;
  }
}

function parseArgs(argv: string[]): { extension?: string; timeoutS: number; grep?: string } {
  const out: { extension?: string; timeoutS: number; grep?: string } = { timeoutS: 300 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--extension') out.extension = argv[++i];
    else if (argv[i] === '--timeout') out.timeoutS = Number(argv[++i]);
    else if (argv[i] === '--grep') out.grep = argv[++i];
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return out;
}

main()
  .catch((err: Error) => {
    console.error(`integration: ${err.message}`);
    return 1;
  })
  .then(async (code) => {
    await shutdown();
    process.exit(code);
  });
