import * as assert from 'node:assert/strict';
import { expand, E2eStep, expectVisible, menuItem, openPane, paneRows, runCommand, treeRow } from './ui';

/**
 * The sidebar as a person uses it: a module row's context menu attaches a forward hook, the
 * palette runs the model, and the Hooks view counts the hook's hits.
 */
export const sidebarSteps: E2eStep[] = [
  {
    title: 'right-clicking submodel_2 offers the module actions; "Attach Forward Hook" lists the hook in the Hooks view',
    async run({ page, shot }) {
      await openPane(page, 'Hooks');
      await treeRow(page, 'submodel_2').first().click({ button: 'right' });
      for (const label of ['Train Mode', 'Eval Mode', 'Attach Forward Hook', 'Attach Backward Hook', 'Add Hook Breakpoint…', 'Show Output in Panel', 'Go to Definition', 'Copy Path']) {
        await expectVisible(menuItem(page, label), `"${label}" in submodel_2's context menu`, 10_000);
      }
      await shot('sidebar-context-menu');
      const attach = menuItem(page, 'Attach Forward Hook');
      await attach.click();
      // A menu that opened while focus was elsewhere can swallow the first click; Enter picks the highlighted item.
      if (await attach.isVisible()) await page.keyboard.press('Enter');
      const hook = await expectVisible(paneRows(page, 'Hooks').filter({ hasText: 'submodel_2' }), 'the submodel_2 hook in the Hooks view');
      await expectVisible(hook.filter({ hasText: 'forward hook · 0 hits' }), 'the hook\'s "forward hook · 0 hits"');
      assert.equal(await hook.locator('.monaco-checkbox, .custom-view-tree-node-item-checkbox, input[type="checkbox"]').count() > 0, true, 'the hook row has a checkbox');
      await expectVisible(paneRows(page, 'Modules').filter({ hasText: 'submodel_2' }).filter({ hasText: 'hook: forward' }), 'the hook badge on the submodel_2 row');
    },
  },
  {
    title: '"Module Lens: Run Forward" from the palette raises the hook\'s hit count',
    async run({ page, shot }) {
      await runCommand(page, 'Module Lens: Run Forward');
      await expectVisible(paneRows(page, 'Hooks').filter({ hasText: 'submodel_2' }).filter({ hasText: 'forward hook · 1 hit' }), 'the hit count at 1');
      await runCommand(page, 'Module Lens: Run Forward');
      await expectVisible(paneRows(page, 'Hooks').filter({ hasText: 'submodel_2' }).filter({ hasText: 'forward hook · 2 hits' }), 'the hit count at 2');
      // After a run, parameter rows carry value statistics.
      // The root's own group (level 2): a sub-module expanded earlier lists its Parameters (2) first.
      const params = paneRows(page, 'Modules').and(page.locator('[aria-level="2"]')).filter({ hasText: 'Parameters (2)' }).first();
      await expand(params);
      await expectVisible(paneRows(page, 'Modules').filter({ hasText: '[5, 10] float32 · μ 0 σ 0' }), 'the weight row with its statistics');
      await page.mouse.move(900, 700);
      await shot('sidebar-hooks');
    },
  },
  {
    title: 'the hook\'s context menu offers Reveal in Modules and Remove; its inline Remove takes it away',
    async run({ page }) {
      const hook = paneRows(page, 'Hooks').filter({ hasText: 'submodel_2' }).first();
      await hook.click({ button: 'right' });
      await expectVisible(menuItem(page, 'Reveal in Modules'), '"Reveal in Modules" in the hook\'s context menu', 10_000);
      await expectVisible(menuItem(page, 'Remove'), '"Remove" in the hook\'s context menu');
      await page.keyboard.press('Escape');
      await hook.hover();
      await hook.locator('.actions .action-label[aria-label="Remove"]').click();
      await hook.waitFor({ state: 'detached', timeout: 10_000 });
      await expectVisible(paneRows(page, 'Modules').filter({ hasText: 'submodel_2' }).filter({ hasNotText: 'hook' }), 'the submodel_2 row without its hook badge');
    },
  },
];
