import * as fs from 'node:fs';
import * as path from 'node:path';
import { steps } from '../e2e/moduleLens.e2e';
import type { E2eContext } from '../e2e/ui';
import { launchBrowser, openWorkbench } from './browser';
import { modelServerPids } from './modelServers';
import { ensureCodeServer, startCodeServer } from './codeServer';
import { workbenchUrl } from './launch';
import { repoRoot, testResultsDir } from './paths';
import { shutdown } from './processes';
import { createSession } from './session';
import { seconds, tail } from './text';
import { ensureVsix, installVsix } from './vsix';

/**
 * `npm run test:e2e`: installs the packaged `.vsix` into code-server and drives the workbench
 * in chromium like a person would, saving screenshots to test-results/.
 *
 * Options: `--update-screenshot` copies test-results/module-lens.png to media/screenshot.png
 * (the README's picture) after a passing run; `--vsix <file>` tests that file instead of
 * packaging the repository; `--timeout <seconds>` bounds the whole run (default 300).
 */
async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  await ensureCodeServer();
  const vsix = args.vsix ?? (await ensureVsix());
  // The time limit covers the run itself, not a first install or packaging.
  const watchdog = setTimeout(() => {
    console.log(`e2e: gave up after ${args.timeoutS} s`);
    void shutdown().finally(() => process.exit(1));
  }, args.timeoutS * 1000);
  watchdog.unref();
  const started = Date.now();
  const session = createSession('e2e');
  await installVsix(vsix, session.extensionsDir, session.userDataDir);
  const server = await startCodeServer({
    workspace: session.workspace,
    userDataDir: session.userDataDir,
    extensionsDir: session.extensionsDir,
    trust: true,
  });
  console.log(`e2e: ${path.basename(vsix)} installed, code-server ${server.url}`);
  fs.mkdirSync(testResultsDir, { recursive: true });
  const browser = await launchBrowser();
  const { page, consoleErrors } = await openWorkbench(browser, workbenchUrl(server, session.workspace));
  const ctx: E2eContext = {
    page,
    async shot(name) {
      const file = path.join(testResultsDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    modelServerPids: () => modelServerPids(session.extensionsDir),
    workspace: session.workspace,
  };

  let passed = 0;
  let failed = 0;
  for (const [i, step] of steps.entries()) {
    const t = Date.now();
    try {
      await step.run(ctx);
      passed++;
      console.log(`  ✓ ${step.title} (${Date.now() - t} ms)`);
      await ctx.shot(`e2e-${i + 1}`);
    } catch (err) {
      failed++;
      console.log(`  ✗ ${step.title}\n      ${(err as Error).message}`);
      // Later steps build on this one, so they are not run.
      const shot = await ctx.shot('e2e-failure').catch(() => undefined);
      if (shot) console.log(`e2e: screenshot of the failure: ${path.relative(process.cwd(), shot)}`);
      if (consoleErrors.length) console.log(`--- browser console errors ---\n${consoleErrors.slice(-20).join('\n')}`);
      console.log(`--- code-server log (last lines) ---\n${tail(server.logFile, 20)}`);
      console.log(`e2e: logs kept in ${path.relative(process.cwd(), session.keepLogs())}`);
      break;
    }
  }
  const skipped = steps.length - passed - failed;
  console.log(`e2e: finished in ${seconds(started)}`);
  console.log(`e2e: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (!failed && args.updateScreenshot) {
    const dest = path.join(repoRoot, 'media', 'screenshot.png');
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(testResultsDir, 'module-lens.png'), dest);
    console.log(`e2e: updated ${path.relative(process.cwd(), dest)}`);
  }
  return failed ? 1 : 0;
}

function parseArgs(argv: string[]): { updateScreenshot: boolean; vsix?: string; timeoutS: number } {
  const out: { updateScreenshot: boolean; vsix?: string; timeoutS: number } = { updateScreenshot: false, timeoutS: 300 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--update-screenshot') out.updateScreenshot = true;
    else if (argv[i] === '--vsix') out.vsix = path.resolve(argv[++i]);
    else if (argv[i] === '--timeout') out.timeoutS = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return out;
}

main()
  .catch((err: Error) => {
    console.error(`e2e: ${err.message}`);
    return 1;
  })
  .then(async (code) => {
    await shutdown();
    process.exit(code);
  });
