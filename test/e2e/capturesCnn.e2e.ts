import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { chooseMenuItem, drawnPixels, E2eStep, expand, expectVisible, panelFrame, runCommand, setColorTheme, treeRow } from './ui';

/** A module name made to run script if any view rendered it as HTML. */
const HOSTILE = '<img src=x onerror=alert(1)>';

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** A row of the Explorer whose label is exactly `label`. */
function explorerRow(page: Page, label: string) {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
}

/** A Modules tree row whose label is exactly `label` (a row's text also holds its description, e.g. a type). */
function namedRow(page: Page, label: string) {
  return page.locator('.part.sidebar .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
}

/** Opens a workspace file in Module Lens from the Explorer's context menu, as a person does. */
async function openFromExplorer(page: Page, folders: string[], file: string): Promise<void> {
  await runCommand(page, 'View: Show Explorer');
  for (const folder of folders) {
    const row = await expectVisible(explorerRow(page, folder), `the ${folder} folder in the Explorer`);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
  }
  const row = await expectVisible(explorerRow(page, file), `${file} in the Explorer`);
  await row.click({ button: 'right' });
  await chooseMenuItem(page, 'Open in Module Lens', 'the Explorer\'s "Open in Module Lens" item');
  // Opening a model brings the Modules view forward by itself; clicking its activity-bar item
  // then would hide the side bar, so that is only the fallback.
  const modules = page.locator('.part.sidebar .pane-header').filter({ hasText: 'Modules' });
  if (!(await modules.first().waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false))) {
    await (await expectVisible(page.locator('.part.activitybar [aria-label*="Module Lens"]'), 'the Module Lens activity-bar item')).click();
  }
}

/** Right-clicks a Modules tree row and picks a context menu item. */
async function treeMenu(page: Page, label: string, item: string): Promise<void> {
  const row = namedRow(page, label).first();
  await row.locator('.label-name').click();
  await row.click({ button: 'right' });
  await chooseMenuItem(page, item, `"${item}" in ${label}'s context menu`);
}

/** Runs a model forward from its root row, confirming the random input if it is asked for. */
async function runFromRoot(page: Page, root: string): Promise<void> {
  await treeMenu(page, root, 'Run Forward');
  const inputPick = page.locator('.quick-input-widget').filter({ hasText: 'run it on' });
  if (await inputPick.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) {
    await expectVisible(inputPick.locator('.monaco-list-row').filter({ hasText: 'Random input' }), 'the random input of the inferred shape');
    await page.keyboard.press('Enter');
  }
}

/** Types `text` into the panel's module path filter, as a person narrows a long list. */
async function filterPath(frame: Frame, text: string): Promise<void> {
  await frame.locator('.ml-path-filter').fill(text);
}

/** The expanded event rows of `path` in the panel, newest last. */
function eventRows(frame: Frame, path: string) {
  return frame.locator('.ml-row').filter({ has: frame.locator('.ml-row-head', { hasText: path }) });
}

/** Expands the newest event of `path` (the list shows the newest last). */
async function expandNewest(frame: Frame, path: string): Promise<void> {
  const row = eventRows(frame, path).last();
  await expectVisible(row, `an event row for ${path}`);
  if (!(await row.locator('.ml-card').count())) await row.locator('.ml-row-head').click();
}

/**
 * The Captures panel on the demo CNN (examples/cnn/model.json), after the first panel steps: a
 * 4-D feature map through the dimension picker and the channel grid, two runs diffed, a High
 * Contrast look, and a module named with HTML shown as text in the tree and the panel.
 */
export const capturesCnnSteps: E2eStep[] = [
  {
    title: 'the demo CNN opens from the Explorer\'s "Open in Module Lens"; a forward hook on conv_1 captures its 4-D output',
    async run({ page }) {
      await openFromExplorer(page, ['cnn'], 'model.json');
      await expectVisible(namedRow(page, 'Sequential'), 'the CNN\'s Sequential root in the Modules tree', 60_000);
      await expand(namedRow(page, 'Sequential').first());
      await expectVisible(treeRow(page, 'conv_1'), 'the conv_1 row');
      await treeMenu(page, 'conv_1', 'Attach Forward Hook');
      await expectVisible(treeRow(page, 'conv_1').filter({ hasText: 'hook: forward' }), 'the hook badge on conv_1');
      await runFromRoot(page, 'Sequential');
      const frame = await panelFrame(page);
      await filterPath(frame, 'conv_1');
      await expectVisible(eventRows(frame, 'conv_1'), 'an event row for conv_1 in the panel');
    },
  },
  {
    title: 'the dimension picker draws an H × W slice of channel 5, and the channel grid draws all 8 channels (NHWC)',
    async run({ page, shot }) {
      const frame = await panelFrame(page);
      await expandNewest(frame, 'conv_1');
      const card = frame.locator('.ml-card[data-slot="output"]').last();
      await expectVisible(card.locator('.ml-card-title').filter({ hasText: '[1, 32, 32, 8]' }), 'the [1, 32, 32, 8] output card');
      // Columns = dim 2 swaps with the rows; rows = dim 1 then gives H × W, with the channel fixed.
      await card.locator('select[aria-label="columns dimension"]').selectOption('2');
      await card.locator('select[aria-label="rows dimension"]').selectOption('1');
      const channel = card.locator('input[aria-label="index in dim 3"]');
      await channel.fill('5');
      await channel.press('Enter');
      await channel.dispatchEvent('change');
      await expectVisible(card.locator('.ml-heatmap-canvas[aria-label="Heatmap of a 32 × 32 slice"]'), 'the heatmap of a 32 × 32 slice');
      await expectVisible(card.locator('.ml-heatmap-status').filter({ hasNotText: 'Loading' }), 'the drawn slice');
      assert.ok(await drawnPixels(card.locator('.ml-heatmap .ml-heatmap-canvas')) >= 32 * 32, 'the H × W heatmap is blank');

      await card.locator('.ml-view-channels').click();
      await card.locator('select[aria-label="channel dimension"]').selectOption('3');
      await expectVisible(card.locator('.ml-channel-count').filter({ hasText: /^8 channels$/ }), '"8 channels" over the grid');
      await expectVisible(card.locator('.ml-channel-status').filter({ hasText: '32 × 32 per channel of batch item 0' }), 'the grid\'s status line');
      assert.equal(await card.locator('.ml-channel-canvas').count(), 8);
      for (const ch of [0, 7]) assert.ok(await drawnPixels(card.locator(`.ml-channel-canvas[data-channel="${ch}"]`)) >= 32 * 32, `channel ${ch} is blank`);
      await card.scrollIntoViewIfNeeded();
      await shot('captures-channel-grid-dark');
    },
  },
  {
    title: 'a second run, diffed with the first: the delta heatmap, max and mean |Δ|, and an editable tolerance',
    async run({ page, shot }) {
      const frame = await panelFrame(page);
      // Collapsed, the first run's row leaves room for the second's in the (virtualized) list.
      const first = eventRows(frame, 'conv_1').last();
      if (await first.locator('.ml-card').count()) await first.locator('.ml-row-head').click();
      const before = await eventRows(frame, 'conv_1').count();
      await runFromRoot(page, 'Sequential');
      await frame.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.ml-row').length > n, before, { timeout: 30_000 });
      await expandNewest(frame, 'conv_1');
      const row = eventRows(frame, 'conv_1').last();
      const picker = row.locator('select.ml-diff-picker');
      await expectVisible(picker, 'the "Diff with…" picker of the second run');
      const older = await picker.locator('option').evaluateAll((os) => os.map((o) => (o as any).value as string).filter(Boolean));
      assert.ok(older.length >= 1, 'no earlier conv_1 event to diff with');
      await picker.selectOption(older[0]);
      const diff = row.locator('.ml-diff-slot[data-slot="output"]');
      await expectVisible(diff.locator('.ml-diff-stats'), 'the diff of the two outputs');
      const stats = await diff.locator('.ml-diff-stats').innerText();
      const maxAbs = Number(/max \|Δ\|\s*([-\d.e+]+)/.exec(stats)?.[1]);
      assert.ok(maxAbs > 0, `two random inputs should give different outputs: ${stats}`);
      assert.match(stats, /> tolerance\s*[\d,]+ of 8,192/);
      assert.ok(await drawnPixels(diff.locator('.ml-diff-canvas')) > 100, 'the delta heatmap is blank');
      const tolerance = row.locator('input.ml-tolerance');
      await tolerance.fill('1e9');
      await expectVisible(diff.locator('.ml-diff-stats').filter({ hasText: /> tolerance\s*0 of 8,192/ }), 'no element over a tolerance of 1e9');
      await diff.scrollIntoViewIfNeeded();
      await shot('captures-diff-dark');
    },
  },
  {
    title: 'the panel is readable in a High Contrast theme',
    async run({ page, shot }) {
      await setColorTheme(page, 'Dark High Contrast');
      const frame = await panelFrame(page);
      // High Contrast themes draw borders in the contrast colour around the panel's controls.
      await frame.waitForFunction(() => (globalThis as any).document.body.classList.contains('vscode-high-contrast'), undefined, { timeout: 10_000 });
      await shot('captures-panel-high-contrast');
      await setColorTheme(page, 'Dark Modern');
    },
  },
  {
    title: `a module named ${HOSTILE} is text in the Modules tree and in the panel, and runs no script`,
    async run({ page, workspace, shot }) {
      // The CNN's long tree would push a new root out of the view's rows: close it first.
      await treeMenu(page, 'Sequential', 'Close Model');
      await namedRow(page, 'Sequential').waitFor({ state: 'detached', timeout: 10_000 });
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      fs.writeFileSync(path.join(workspace, 'hostile-names.ts'), [
        "import { nn, tf } from 'module-lens';",
        '',
        '/** A model whose sub-module is named with HTML: every view must show the name as text. */',
        'export class HostileNames extends nn.Module {',
        '  constructor() {',
        '    super();',
        `    this.addModule(${JSON.stringify(HOSTILE)}, new nn.Linear(2, 2));`,
        '  }',
        '  override forward(x: tf.Tensor): tf.Tensor {',
        `    return (this as any)[${JSON.stringify(HOSTILE)}](x);`,
        '  }',
        '}',
        '',
        'export default () => new HostileNames();',
        'export const input = () => tf.ones([1, 2]);',
        '',
      ].join('\n'));
      await openFromExplorer(page, [], 'hostile-names.ts');
      await expectVisible(namedRow(page, 'HostileNames'), 'the HostileNames root', 60_000);
      await expand(namedRow(page, 'HostileNames').first());
      const row = await expectVisible(namedRow(page, HOSTILE), `a tree row labelled ${HOSTILE}`);
      assert.equal(await row.locator('img').count(), 0, 'the tree rendered the name as an element');
      await treeMenu(page, HOSTILE, 'Attach Forward Hook');
      // The run must start after the hook is attached, or it has nothing to capture.
      await expectVisible(namedRow(page, HOSTILE).filter({ hasText: 'hook: forward' }), 'the hook badge on the module');
      await runFromRoot(page, 'HostileNames');
      const frame = await panelFrame(page);
      await filterPath(frame, HOSTILE);
      const event = await expectVisible(frame.locator('.ml-row-head').filter({ hasText: HOSTILE }), `an event row whose path reads ${HOSTILE}`);
      await event.click();
      await expectVisible(frame.locator('.ml-card[data-slot="output"]').last(), 'the output card of the hostile module');
      assert.equal(await frame.locator('img').count(), 0, 'the panel rendered the name as an element');
      assert.deepEqual(dialogs, [], 'a script ran');
      await shot('captures-injection-as-text');
      // Later steps expect the demo model alone in the tree.
      await treeMenu(page, 'HostileNames', 'Close Model');
      await namedRow(page, 'HostileNames').waitFor({ state: 'detached', timeout: 10_000 });
      await expectVisible(treeRow(page, 'CustomLinearLayer'), 'the demo model, still open');
    },
  },
];
