import * as assert from 'node:assert/strict';
import { drawnPixels, E2eStep, expectVisible, panelFrame, runCommand, setColorTheme, treeRow } from './ui';

/**
 * The Captures panel, after the Modules tree steps: open it from the palette, capture a forward
 * hook's event from a run, and look inside it.
 */
export const capturesSteps: E2eStep[] = [
  {
    title: '"Module Lens: Show Captures Panel" opens the panel beside the editor',
    async run({ page }) {
      await runCommand(page, 'Module Lens: Show Captures Panel');
      await expectVisible(page.locator('.tab').filter({ hasText: 'Captures' }), 'the Captures editor tab');
      const frame = await panelFrame(page);
      await expectVisible(frame.locator('.ml-empty'), 'the panel\'s "no hook events yet" line');
    },
  },
  {
    title: 'the panel\'s icons are VS Code\'s codicons, loaded from the extension under the panel\'s CSP',
    async run({ page }) {
      const frame = await panelFrame(page);
      const fonts = await frame.evaluate(async () => {
        const d = (globalThis as any).document;
        await d.fonts.ready;
        return [...d.fonts].filter((f: any) => f.family.replace(/"/g, '') === 'codicon').map((f: any) => f.status as string);
      });
      assert.deepEqual(fonts, ['loaded'], 'dist/codicon.ttf loads through the webview\'s resource URI');
      const clear = frame.getByRole('button', { name: 'Clear', exact: true });
      assert.match(await clear.locator('.codicon-clear-all').evaluate((el) => (globalThis as any).getComputedStyle(el).fontFamily), /codicon/);
    },
  },
  {
    title: 'a forward hook on submodel_1 and "Run Forward" stream an event row into the panel',
    async run({ page }) {
      // Focus leaves the panel's iframe first: a context menu opened while it has focus ignores the first click.
      await treeRow(page, 'submodel_1').first().locator('.label-name').click();
      await treeRow(page, 'submodel_1').first().click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item').filter({ has: page.locator('.action-label', { hasText: /^Attach Forward Hook$/ }) });
      await (await expectVisible(item, 'the "Attach Forward Hook" context menu item', 10_000)).click();
      if (await item.isVisible()) await page.keyboard.press('Enter');
      await expectVisible(treeRow(page, 'submodel_1').filter({ hasText: 'hook: forward' }), 'the hook badge on the submodel_1 row');
      await runCommand(page, 'Module Lens: Run Forward');
      const frame = await panelFrame(page);
      const row = await expectVisible(frame.locator('.ml-row').filter({ hasText: 'submodel_1' }), 'an event row for submodel_1 in the panel');
      assert.match(await row.innerText(), /run \d+\s+#1\s+CustomLinearLayer\s+submodel_1\s+forward/);
    },
  },
  {
    title: 'expanding the event shows tensor cards with a drawn histogram, heatmap and values',
    async run({ page, shot }) {
      const frame = await panelFrame(page);
      await frame.locator('.ml-row-head').filter({ hasText: 'submodel_1' }).first().click();
      await expectVisible(frame.locator('.ml-card[data-slot="output"]'), 'the output tensor card');
      assert.ok(await drawnPixels(frame.locator('.ml-card[data-slot="output"] .ml-histogram-canvas')) > 20, 'the histogram canvas is blank');
      await expectVisible(frame.locator('.ml-card[data-slot="output"] .ml-heatmap-status').filter({ hasText: '3 × 4 slice' }), 'the heatmap of the [3, 4] output');
      assert.ok(await drawnPixels(frame.locator('.ml-card[data-slot="output"] .ml-heatmap-canvas')) >= 12, 'the heatmap canvas is blank');
      await expectVisible(frame.locator('.ml-card[data-slot="output"] .ml-grid-cell').filter({ hasNotText: '…' }), 'values in the grid');
      await shot('captures-panel-light');
    },
  },
  {
    title: 'the panel follows a Dark theme',
    async run({ page, shot }) {
      await setColorTheme(page, 'Dark Modern');
      const frame = await panelFrame(page);
      // The webview gets the theme's variables: the background turns dark.
      await frame.waitForFunction(() => {
        const g = globalThis as any;
        const rgb = g.getComputedStyle(g.document.body).backgroundColor.match(/\d+/g)?.map(Number) ?? [0, 0, 0];
        return rgb[0] + rgb[1] + rgb[2] < 200;
      }, undefined, { timeout: 10_000 });
      await shot('captures-panel-dark');
    },
  },
];
