import type { Frame, Locator, Page } from 'playwright-core';

/** What every e2e step gets. */
export interface E2eContext {
  page: Page;
  /** Saves a screenshot as `test-results/<name>.png` and returns its path. */
  shot(name: string): Promise<string>;
  /** Pids of the model server processes the installed extension is running now. */
  modelServerPids(): number[];
  /** The folder the workbench has open (a temporary copy of `examples/`), for files a step writes. */
  workspace: string;
}

/** One step of an e2e scenario; steps run in order and stop at the first failure. */
export interface E2eStep {
  title: string;
  run(ctx: E2eContext): Promise<void>;
}

/**
 * Waits until `locator` is visible, or fails with a message naming `what` a person would look
 * for, instead of Playwright's selector dump.
 */
export async function expectVisible(locator: Locator, what: string, timeoutMs = 30_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`could not find ${what} within ${timeoutMs / 1000} s`);
  }
  return locator.first();
}

/** Rows of the tree views in the side bar whose text contains `label`. */
export function treeRow(page: Page, label: string): Locator {
  return page.locator('.part.sidebar .monaco-list-row').filter({ hasText: label });
}

/** Expands a tree row unless it is already expanded. */
export async function expand(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
}

/** Runs a command by its palette title ("Category: Title") through F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'the command palette');
  await input.pressSequentially(title);
  const item = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title });
  await expectVisible(item, `"${title}" in the command palette`, 10_000);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The text of every error notification currently shown. */
export async function errorNotifications(page: Page): Promise<string[]> {
  const toasts = page.locator('.notification-toast').filter({ has: page.locator('.codicon-error') });
  return toasts.allInnerTexts();
}

/** Drags the side bar's right edge to `width` pixels, so tree rows show their descriptions. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** The rows of one view of the side bar, found by its pane header's title. */
export function paneRows(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane')
    .filter({ has: page.locator('.pane-header').filter({ hasText: title }) })
    .locator('.monaco-list-row');
}

/** Expands a side-bar view whose header is collapsed. */
export async function openPane(page: Page, title: string): Promise<void> {
  const header = page.locator('.part.sidebar .pane-header').filter({ hasText: title }).first();
  await expectVisible(header, `the ${title} view's header`);
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
}

/** The context menu item with exactly this label. */
export function menuItem(page: Page, label: string): Locator {
  return page.locator('.monaco-menu .action-item').filter({ has: page.locator('.action-label', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
}

/** Clicks a context menu item; a menu that opened while focus was elsewhere can swallow the first click, so Enter picks it then. */
export async function chooseMenuItem(page: Page, label: string, what: string): Promise<void> {
  const item = await expectVisible(menuItem(page, label), what, 10_000);
  await item.click();
  if (await item.isVisible()) await page.keyboard.press('Enter');
}

/** The Captures panel's content frame (webviews are nested iframes), once its script is running. */
export async function panelFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const frame of page.frames()) {
      const ready = await frame.locator('#captures-root[data-state="ready"]').count().catch(() => 0);
      if (ready) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`the Captures panel did not load within ${timeoutMs / 1000} s`);
}

/** Pixels of a canvas that are drawn (not transparent). */
export function drawnPixels(canvas: Locator): Promise<number> {
  return canvas.first().evaluate((el) => {
    const c = el as any;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

/** Picks a color theme by name with "Preferences: Color Theme", as a person does. */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = await expectVisible(page.locator('.quick-input-widget input'), 'the command palette');
  await input.pressSequentially('Preferences: Color Theme');
  const command = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Preferences: Color Theme' }).filter({ hasNotText: 'Browse' });
  await (await expectVisible(command, 'the Color Theme command')).click();
  await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: /Modern|High Contrast/ }), 'the list of color themes');
  await input.pressSequentially(theme);
  await (await expectVisible(page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: theme }), `the ${theme} theme`)).click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}
