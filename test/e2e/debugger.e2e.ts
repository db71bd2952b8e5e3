import type { Page } from 'playwright-core';
import { E2eStep, expectVisible, runCommand } from './ui';

/** Opens a workspace file through Quick Open. */
async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'Quick Open');
  await input.pressSequentially(name);
  await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: name }), `${name} in Quick Open`, 10_000);
  await page.keyboard.press('Enter');
  await expectVisible(page.locator('.tab').filter({ hasText: name }), `the ${name} editor tab`);
}

/**
 * Debugging a module by hand: a line breakpoint on `out = this.submodel_2(out)`, the Debug
 * Model command, the paused line and the module Call Stack in the Run view, then Continue.
 */
export const debuggerSteps: E2eStep[] = [
  {
    title: 'a line breakpoint on a sub-module call stops there, with the module Call Stack in the Run view',
    async run({ page, shot }) {
      await openFile(page, 'custom-linear.ts');
      // Line 29 is `out = this.submodel_2(out);`: click its glyph margin to set a breakpoint.
      const lineNumber = await expectVisible(page.locator('.margin-view-overlays .line-numbers').filter({ hasText: /^29$/ }), 'line number 29');
      const box = await lineNumber.boundingBox();
      if (!box) throw new Error('line 29 has no box');
      await page.mouse.click(box.x - 8, box.y + box.height / 2);
      await expectVisible(page.locator('.codicon-debug-breakpoint'), 'the breakpoint dot on line 29', 10_000);
      await runCommand(page, 'Module Lens: Debug Model');
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'submodel_2 (Linear)' }), 'submodel_2 (Linear) in the Call Stack', 60_000);
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'CustomLinearLayer' }), 'CustomLinearLayer in the Call Stack');
      await expectVisible(page.locator('.debug-top-stack-frame-line, .debug-top-stack-frame'), 'the paused line in the editor', 10_000);
      await shot('debugger-paused');
    },
  },
  {
    title: 'Continue ends the run',
    async run({ page, shot }) {
      await page.keyboard.press('F5');
      await page.locator('.debug-call-stack .monaco-list-row').filter({ hasText: 'submodel_2 (Linear)' }).first()
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
      const lens = await expectVisible(page.locator('.codelens-decoration a').filter({ hasText: 'Run forward' }), 'the "▶ Run forward" CodeLens', 30_000);
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
