import * as fs from 'node:fs';

/**
 * The environment variable naming the JSON file the suite writes its results to. code-server's
 * environment reaches the extension host, so the harness sets it when it starts code-server.
 */
export const REPORT_ENV = 'MODULE_LENS_TEST_REPORT';

/** When set, only tests whose full title matches this regular expression run (`--grep`). */
export const GREP_ENV = 'MODULE_LENS_TEST_GREP';

/** One finished test. */
export interface TestResult {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

/** What the suite writes: once when it starts, again when it ends. */
export interface SuiteReport {
  /** 'running' proves the extension host started the suite; 'done' carries the results. */
  state: 'running' | 'done';
  vscodeVersion?: string;
  tests: TestResult[];
  /** An error outside any test (the suite could not load, a hook failed). */
  error?: string;
}

/** Writes the report atomically so a reader polling the file never sees half of it. */
export function writeReport(file: string, report: SuiteReport): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(report, null, 2));
  fs.renameSync(tmp, file);
}

/** Which tests `run()` loads: `main` (default) or `restricted` (the Restricted Mode suite in restricted/). */
export const SUITE_ENV = 'MODULE_LENS_TEST_SUITE';
