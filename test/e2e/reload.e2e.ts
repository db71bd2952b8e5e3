import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { E2eStep, errorNotifications, expectVisible, runCommand, treeRow } from './ui';

/**
 * Reloading the window while a run is paused at a hook breakpoint.
 *
 * Why here and not in the integration suite: a reload ends the extension host that runs the
 * suite (and would end the suite with it), and only the browser can reload the workbench. The
 * e2e runner drives that browser, and lives outside the extension host, so it can watch the
 * model server's process from the outside by pid (`/proc`) across the reload.
 */

/** Waits until `pid` is no longer a running model server, or fails after `timeoutMs`. */
async function serverGone(page: Page, pids: () => number[], pid: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pids().includes(pid)) {
    if (Date.now() > end) throw new Error(`the model server of the old window (pid ${pid}) still runs ${timeoutMs / 1000} s after the reload: an orphan`);
    await page.waitForTimeout(200);
  }
}

/** Runs "Developer: Reload Window" from the palette and waits for the workbench page to load again. */
async function reloadWindow(page: Page): Promise<void> {
  await page.keyboard.press('F1');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'the command palette');
  await input.pressSequentially('Developer: Reload Window');
  await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Developer: Reload Window' }), '"Developer: Reload Window" in the command palette', 10_000);
  await Promise.all([
    page.waitForEvent('load', { timeout: 60_000 }),
    page.keyboard.press('Enter'),
  ]);
}

let oldPid = 0;

/** Runs after {@link editorSteps}: custom-linear.ts is open with the line 29 breakpoint the debugger steps set. */
export const reloadSteps: E2eStep[] = [
  {
    title: 'reloading the window while the debugger is paused at a breakpoint ends the old model server (no orphan process)',
    async run({ page, shot, modelServerPids }) {
      await expectVisible(page.locator('.codicon-debug-breakpoint'), 'the breakpoint on line 29 from the debugger steps');
      await runCommand(page, 'Module Lens: Debug Model');
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'submodel_2 (Linear)' }), 'the paused submodel_2 (Linear) in the Call Stack', 60_000);
      const before = modelServerPids();
      assert.equal(before.length, 1, `one model server runs while paused, found pids [${before.join(', ')}]`);
      oldPid = before[0];
      await shot('reload-paused');
      await reloadWindow(page);
      // The old extension host deactivates the extension, which shuts its server down (the paused
      // worker included); a server left behind would hold the paused run and its tensors forever.
      await serverGone(page, modelServerPids, oldPid, 20_000);
    },
  },
  {
    title: 'after the reload the model opens again in a new server and runs',
    async run({ page, shot, modelServerPids }) {
      const item = await expectVisible(page.locator('.part.activitybar [aria-label*="Module Lens"]'), 'the Module Lens activity-bar item after the reload', 60_000);
      if (!(await treeRow(page, 'CustomLinearLayer').count())) await item.click();
      await expectVisible(treeRow(page, 'CustomLinearLayer'), 'the CustomLinearLayer row in the Modules tree after the reload', 60_000);
      const now = modelServerPids();
      assert.equal(now.length, 1, `one model server after the reload, found pids [${now.join(', ')}]`);
      assert.notEqual(now[0], oldPid, 'the server is a new process');
      await runCommand(page, 'Module Lens: Run Forward');
      await expectVisible(page.locator('.statusbar').filter({ hasText: /CustomLinearLayer run \d+ finished/ }), 'the finished run in the status bar', 30_000);
      const errors = await errorNotifications(page);
      assert.equal(errors.length, 0, `error notifications are shown: ${errors.join(' | ')}`);
      await shot('reload-ran');
    },
  },
];
