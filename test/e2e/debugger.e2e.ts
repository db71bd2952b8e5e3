import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { chooseMenuItem, E2eStep, expand, expectVisible, openPane, paneRows, panelFrame, runCommand } from './ui';

/** Opens a workspace file through Quick Open. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'Quick Open');
  await input.pressSequentially(name);
  await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: name }), `${name} in Quick Open`, 10_000);
  await page.keyboard.press('Enter');
  await expectVisible(page.locator('.tab').filter({ hasText: name }), `the ${name} editor tab`);
}

/** Rows of the Run view's Variables tree. */
function variableRows(page: Page): Locator {
  return page.locator('.debug-variables .monaco-list-row');
}

const pausedFrame = (page: Page) => page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'submodel_2 (Linear)' });

/**
 * Debugging a module by hand: the workspace's model opened from its CodeLens, a hook breakpoint
 * on submodel_2 from the Modules tree's context menu, the Debug Model command, the module Call Stack, the Captures panel's paused banner,
 * "View in Captures Panel" on the paused output in the Variables view, and Continue from the
 * banner. Then a line breakpoint on `out = this.submodel_2(out)`, continued with F5.
 */
export const debuggerSteps: E2eStep[] = [
  {
    title: '"▶ Open in Module Lens" on the workspace\'s model file opens it in the Modules tree (the demo copy is closed)',
    async run({ page }) {
      // The model file opens in the first editor group.
      await page.keyboard.press('Control+1');
      await openFile(page, 'custom-linear.ts');
      const lens = await expectVisible(page.locator('.codelens-decoration a:visible').filter({ hasText: 'Open in Module Lens' }), 'the "▶ Open in Module Lens" CodeLens', 30_000);
      await lens.click();
      await expectVisible(paneRows(page, 'Modules').filter({ hasText: 'CustomLinearLayer' }).nth(1), 'a second CustomLinearLayer in the Modules tree', 30_000);
      // The extension's demo copy opened first: close it, so the tree holds the model Debug Model runs.
      await paneRows(page, 'Modules').filter({ hasText: 'CustomLinearLayer' }).first().locator('.label-name').click();
      await paneRows(page, 'Modules').filter({ hasText: 'CustomLinearLayer' }).first().click({ button: 'right' });
      await chooseMenuItem(page, 'Close Model', 'the "Close Model" context menu item');
      await paneRows(page, 'Modules').filter({ hasText: 'CustomLinearLayer' }).nth(1).waitFor({ state: 'detached', timeout: 15_000 });
    },
  },
  {
    title: '"Add Hook Breakpoint…" in submodel_2\'s context menu, answered in the quick pick, adds a forward breakpoint',
    async run({ page }) {
      await expand(paneRows(page, 'Modules').filter({ hasText: 'CustomLinearLayer' }).first());
      await openPane(page, 'Hooks');
      const row = await expectVisible(paneRows(page, 'Modules').filter({ hasText: 'submodel_2' }), 'the submodel_2 row');
      await row.locator('.label-name').click();
      await row.click({ button: 'right' });
      await chooseMenuItem(page, 'Add Hook Breakpoint…', 'the "Add Hook Breakpoint…" context menu item');
      const pick = await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Forward Breakpoint' }).filter({ hasNotText: 'Pre-Hook' }), 'the "Forward Breakpoint" choice in the quick pick');
      await pick.click();
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      await expectVisible(paneRows(page, 'Hooks').filter({ hasText: 'submodel_2' }).filter({ hasText: 'forward breakpoint' }), 'the submodel_2 forward breakpoint in the Hooks view');
    },
  },
  {
    title: 'Debug Model stops at submodel_2: the module Call Stack, and the Captures panel\'s paused banner names it',
    async run({ page, shot }) {
      // Debug Model runs the active editor's file.
      await page.keyboard.press('Control+1');
      await openFile(page, 'custom-linear.ts');
      await runCommand(page, 'Module Lens: Debug Model');
      await expectVisible(pausedFrame(page), 'submodel_2 (Linear) in the Call Stack', 60_000);
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'CustomLinearLayer' }), 'CustomLinearLayer in the Call Stack');
      await runCommand(page, 'Module Lens: Show Captures Panel');
      const frame = await panelFrame(page);
      const banner = await expectVisible(frame.locator('.ml-paused'), 'the paused banner in the Captures panel', 15_000);
      assert.match(await banner.innerText(), /Paused in run \d+ at\s+submodel_2\s+\(forward hook\)/);
      await shot('debugger-paused');
    },
  },
  {
    title: '"View in Captures Panel" on the paused output in the Variables view opens its card in the panel',
    async run({ page, shot }) {
      const scope = await expectVisible(variableRows(page).filter({ hasText: /^Output$/ }), 'the Output scope in the Variables view', 15_000);
      await expand(scope);
      const output = await expectVisible(variableRows(page).filter({ hasText: /^output\b.*Tensor \[3, 2\]/ }), 'the output tensor in the Variables view', 15_000);
      await output.click();
      await output.click({ button: 'right' });
      await chooseMenuItem(page, 'View in Captures Panel', 'the "View in Captures Panel" item of the variable\'s context menu');
      const frame = await panelFrame(page);
      const row = frame.locator('.ml-row').filter({ hasText: 'submodel_2' }).filter({ has: frame.locator('.ml-row-head[aria-expanded="true"]') });
      await expectVisible(row.locator('.ml-card[data-slot="output"]'), 'the output card of the paused submodel_2 event, opened in the panel', 15_000);
      await expectVisible(row.locator('.ml-card[data-slot="output"] .ml-grid-cell').filter({ hasNotText: '…' }), 'its values');
      await shot('debugger-view-in-panel');
    },
  },
  {
    title: 'Continue on the paused banner ends the run; the breakpoint is removed',
    async run({ page }) {
      const frame = await panelFrame(page);
      await frame.locator('.ml-paused').getByRole('button', { name: 'Continue' }).click();
      await pausedFrame(page).first().waitFor({ state: 'detached', timeout: 30_000 })
        .catch(() => { throw new Error('the Call Stack still shows the paused module 30 s after Continue'); });
      await frame.locator('.ml-paused').waitFor({ state: 'hidden', timeout: 10_000 });
      await runCommand(page, 'Module Lens: Remove All Hooks');
    },
  },
  {
    title: 'a line breakpoint on a sub-module call stops there, with the module Call Stack in the Run view',
    async run({ page, shot }) {
      // Focus is in the panel's iframe after the banner's button: bring the model file back by its tab.
      await (await expectVisible(page.locator('.tab').filter({ hasText: 'custom-linear.ts' }), 'the custom-linear.ts tab')).click();
      // Line 29 is `out = this.submodel_2(out);`: click its glyph margin to set a breakpoint.
      const lineNumber = await expectVisible(page.locator('.margin-view-overlays .line-numbers').filter({ hasText: /^29$/ }), 'line number 29');
      const box = await lineNumber.boundingBox();
      if (!box) throw new Error('line 29 has no box');
      await page.mouse.click(box.x - 8, box.y + box.height / 2);
      await expectVisible(page.locator('.codicon-debug-breakpoint'), 'the breakpoint dot on line 29', 10_000);
      await runCommand(page, 'Module Lens: Debug Model');
      await expectVisible(pausedFrame(page), 'submodel_2 (Linear) in the Call Stack', 60_000);
      await expectVisible(page.locator('.debug-top-stack-frame-line, .debug-top-stack-frame'), 'the paused line in the editor', 10_000);
      await shot('debugger-paused-line');
    },
  },
  {
    title: 'Continue ends the run',
    async run({ page, shot }) {
      await page.keyboard.press('F5');
      await pausedFrame(page).first()
        .waitFor({ state: 'detached', timeout: 30_000 })
        .catch(() => { throw new Error('the Call Stack still shows the paused module 30 s after Continue'); });
      await shot('debugger-finished');
    },
  },
];

/** The editor features on the model file the debugger opened: CodeLens, inlay shapes, hover. */
export const editorSteps: E2eStep[] = [
  {
    title: 'the "▶ Run forward" CodeLens runs the model; inlay hints show output shapes; hover shows the module',
    async run({ page, shot }) {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      const lens = await expectVisible(page.locator('.codelens-decoration a:visible').filter({ hasText: 'Run forward' }), 'the "▶ Run forward" CodeLens', 30_000);
      await expectVisible(page.locator('.codelens-decoration').filter({ hasText: /118 params/ }), 'the parameter count CodeLens');
      await lens.click();
      await expectVisible(page.locator('.statusbar').filter({ hasText: /CustomLinearLayer run \d+ finished/ }), 'the finished run in the status bar', 30_000);
      // Hover `this.submodel_1` where the constructor creates it (line 21, in view at the top).
      const line = page.locator('.view-line').filter({ hasText: 'this.submodel_1 = new nn.Linear(5, 4);' });
      const token = await expectVisible(line.locator('span span').filter({ hasText: /^submodel_1$/ }), 'submodel_1 on line 21');
      await token.hover();
      const hover = await expectVisible(page.locator('.monaco-hover').filter({ hasText: 'own params' }), 'the module hover', 15_000);
      const text = await hover.innerText();
      if (!/submodel_1/.test(text) || !/Linear\(in_features=5, out_features=4, bias=True\)/.test(text)) throw new Error(`unexpected hover: ${text}`);
      await shot('editor-codelens-hover');
      // The forward calls, with the output shapes of the last run as inlay hints.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+G');
      const goTo = await expectVisible(page.locator('.quick-input-widget input'), 'Go to Line');
      await goTo.pressSequentially('28');
      await page.keyboard.press('Enter');
      // Inlay hints render inside the line: `out = this.submodel_1(out): [3, 4];`.
      for (const [name, shape] of [['submodel_1', '[3, 4]'], ['submodel_2', '[3, 2]'], ['submodel_3', '[3, 5]']]) {
        await expectVisible(page.locator('.view-line').filter({ hasText: `this.${name}(out): ${shape}` }), `the ${shape} inlay hint after this.${name}(out)`, 15_000);
      }
      await shot('editor-inlay-shapes');
    },
  },
];
