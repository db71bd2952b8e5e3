import type { SuiteReport } from '../suite/report';

/**
 * Prints each test's title and outcome, then a closing line `<label>: N passed, M failed`
 * (the plain form CI tools read). Returns the number of failures, counting a suite-level error.
 */
export function printReport(label: string, report: SuiteReport): number {
  if (report.vscodeVersion) console.log(`${label}: VS Code ${report.vscodeVersion}`);
  for (const t of report.tests) {
    const mark = t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-';
    const ms = t.durationMs !== undefined ? ` (${t.durationMs} ms)` : '';
    console.log(`  ${mark} ${t.fullTitle}${ms}`);
    if (t.error) console.log(indent(t.error, 6));
  }
  if (report.error) console.log(`${label}: the suite failed outside a test:\n${indent(report.error, 4)}`);
  const passed = report.tests.filter((t) => t.state === 'passed').length;
  const failed = report.tests.filter((t) => t.state === 'failed').length + (report.error ? 1 : 0);
  const skipped = report.tests.filter((t) => t.state === 'pending').length;
  console.log(`${label}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed;
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}
