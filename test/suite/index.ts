import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { GREP_ENV, REPORT_ENV, SUITE_ENV, SuiteReport, TestResult, writeReport } from './report';

/**
 * Entry point VS Code calls in the extension host (`extensionTestsPath`), in the shape
 * `@vscode/test-electron` expects: resolves when every test passed, rejects otherwise.
 * When `MODULE_LENS_TEST_REPORT` names a file, the results are also written there as JSON,
 * because under code-server the extension host's exit code reaches no one.
 */
export function run(): Promise<void> {
  const reportFile = process.env[REPORT_ENV];
  const report: SuiteReport = { state: 'running', vscodeVersion: vscode.version, tests: [] };
  const save = () => reportFile && writeReport(reportFile, report);
  save();

  const grep = process.env[GREP_ENV];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, ...(grep ? { grep: new RegExp(grep) } : {}) });
  // Every compiled *.test.js below this folder (out/test/suite/**).
  // The Restricted Mode tests need a workspace with trust on, so they run in a pass of their own.
  const restricted = process.env[SUITE_ENV] === 'restricted';
  for (const file of fs.readdirSync(__dirname, { recursive: true }) as string[]) {
    const inRestricted = file.split(/[\\/]/)[0] === 'restricted';
    if (file.endsWith('.test.js') && inRestricted === restricted) mocha.addFile(path.join(__dirname, file));
  }

  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      report.state = 'done';
      if (err) report.error = err.stack ?? err.message;
      save();
      const failed = report.tests.filter((t) => t.state === 'failed').length;
      if (err) reject(err);
      else if (failed) reject(new Error(`${failed} tests failed.`));
      else resolve();
    };
    try {
      const runner = mocha.run(() => finish());
      const add = (state: TestResult['state']) => (test: Mocha.Test, err?: Error) => {
        report.tests.push({
          title: test.title,
          fullTitle: test.fullTitle(),
          state,
          durationMs: test.duration,
          error: err ? (err.stack ?? String(err)) : undefined,
        });
        save();
      };
      runner.on('pass', add('passed'));
      runner.on('pending', add('pending'));
      // Failures of hooks (before/after) arrive here too; they are reported as failed tests.
      runner.on('fail', add('failed'));
    } catch (err) {
      finish(err as Error);
    }
  });
}
