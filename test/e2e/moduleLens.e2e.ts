import * as assert from 'node:assert/strict';
import { capturesSteps } from './captures.e2e';
import { capturesCnnSteps } from './capturesCnn.e2e';
import { debuggerSteps, editorSteps } from './debugger.e2e';
import { reloadSteps } from './reload.e2e';
import { sidebarSteps } from './sidebar.e2e';
import { E2eStep, errorNotifications, expand, expectVisible, runCommand, treeRow, widenSideBar } from './ui';

/**
 * What a person sees after installing the packaged extension in a trusted workspace holding the
 * demo models: the Module Lens view in the activity bar, and the demo model's module tree.
 */
export const steps: E2eStep[] = [
  {
    title: 'the activity bar has a Module Lens item that opens its view',
    async run({ page }) {
      const item = await expectVisible(page.locator('.part.activitybar [aria-label*="Module Lens"]'), 'an activity-bar item whose aria-label contains "Module Lens"');
      await item.click();
    },
  },
  {
    title: 'the Modules tree lists CustomLinearLayer',
    async run({ page }) {
      // The first load starts the model server and imports the model file: allow it time.
      await expectVisible(treeRow(page, 'CustomLinearLayer'), 'the CustomLinearLayer row in the Modules tree', 60_000);
    },
  },
  {
    title: 'expanding CustomLinearLayer shows submodel_1',
    async run({ page }) {
      await expand(treeRow(page, 'CustomLinearLayer').first());
      await expectVisible(treeRow(page, 'submodel_1'), 'the submodel_1 row under CustomLinearLayer');
    },
  },
  {
    title: '"Module Lens: Refresh" runs from the command palette',
    async run({ page }) {
      await runCommand(page, 'Module Lens: Refresh');
      const root = await expectVisible(treeRow(page, 'CustomLinearLayer'), 'the CustomLinearLayer row after the refresh');
      await expand(root);
      await expectVisible(treeRow(page, 'submodel_1'), 'the submodel_1 row after the refresh');
    },
  },
  {
    title: 'no error notification is shown',
    async run({ page, shot }) {
      // Give a late failure (e.g. from the refresh) a moment to surface.
      await page.waitForTimeout(1000);
      const errors = await errorNotifications(page);
      assert.equal(errors.length, 0, `error notifications are shown: ${errors.join(' | ')}`);
      // The README's screenshot. Focus returns to the activity-bar item after the palette, and a
      // focused item shows its hover: move focus into the tree first.
      await widenSideBar(page, 560);
      await page.mouse.move(900, 700);
      await page.locator('.part.sidebar .monaco-list').first().focus();
      await page.waitForTimeout(500);
      await shot('module-lens');
    },
  },
  ...sidebarSteps,
  ...capturesSteps,
  ...capturesCnnSteps,
  ...debuggerSteps,
  ...editorSteps,
  // Last: it reloads the window.
  ...reloadSteps,
];
